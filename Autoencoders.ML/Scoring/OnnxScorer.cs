using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Scoring;

/// <summary>Builds the chain of ML.NET's own transformers that scores a one-row graph, choosing the execution provider first.</summary>
internal static class OnnxScorer
{
    public const string CudaProvider = "CUDAExecutionProvider";

    public static ITransformer Create(byte[] rowGraph, int inputSize, float threshold, AutoencoderScoringOptions options, int? gpu)
    {
        var context = new MLContext();
        var outputs = RowScoringGraph.VectorOutputs(options).Select(o => RowScoringGraph.GraphOutputName(o.Column, options)).ToArray();
        var input = EmptyInput(context, options.FeatureColumnName, inputSize);
        var graph = context.Transforms.ApplyOnnxModel(outputs, [options.FeatureColumnName], new MemoryStream(rowGraph, writable: false),
            gpuDeviceId: gpu, fallbackToCpu: options.FallbackToCpu).Fit(input);
        var steps = new List<ITransformer> { graph };
        var data = graph.Transform(input);
        if (options.ScoreColumnName is not null)
            foreach (var step in ScoreColumn.Create(context, data, options, threshold))
            {
                steps.Add(step);
                data = step.Transform(data);
            }
        // An output that replaces the feature column left the graph under another name: copy it into place.
        foreach (string renamed in outputs.Where(o => o.StartsWith(RowScoringGraph.RenamedOutputPrefix, StringComparison.Ordinal)))
        {
            var copy = context.Transforms.CopyColumns(options.FeatureColumnName, renamed).Append(context.Transforms.DropColumns(renamed)).Fit(data);
            steps.Add(copy);
            data = copy.Transform(data);
        }
        return new TransformerChain<ITransformer>([.. steps]);
    }

    /// <summary>
    /// The GPU id to hand ONNX Runtime, or null for CPU. ML.NET's own GPU option throws EntryPointNotFoundException on a
    /// CPU-only ONNX Runtime even with fallback on, so the available providers are checked here first.
    /// </summary>
    public static int? ResolveGpu(int? gpuDeviceId, bool fallbackToCpu, IHostEnvironment environment)
    {
        if (gpuDeviceId is null)
            return null;
        var providers = OrtEnv.Instance().GetAvailableProviders();
        if (providers.Contains(CudaProvider))
            return gpuDeviceId;
        string message = $"GPU scoring on device {gpuDeviceId} was requested, but this ONNX Runtime has no {CudaProvider} " +
                         $"(available: {string.Join(", ", providers)}). Reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime (see README).";
        if (!fallbackToCpu)
            throw new InvalidOperationException(message + " Set FallbackToCpu to score on CPU instead.");
        MLNetEnvironment.Warn(environment, "Autoencoder", message + " Scoring on CPU.");
        return null;
    }

    private sealed class EmptyRow
    {
        public float[] Features { get; set; } = [];
    }

    private static IDataView EmptyInput(MLContext context, string column, int size)
    {
        var schema = SchemaDefinition.Create(typeof(EmptyRow));
        schema[0].ColumnName = column;
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return context.Data.LoadFromEnumerable(Array.Empty<EmptyRow>(), schema);
    }
}
