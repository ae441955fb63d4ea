using System.Globalization;
using Autoencoders.ML.Interop;
using Autoencoders.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// Loads a model saved with <c>mlContext.Model.Save</c> and puts every autoencoder stage back as an
/// <see cref="AutoencoderTransformer"/>, so scoring is batched again. The file is the one ML.NET alone can load.
/// </summary>
internal static class SavedModelLoader
{
    public static ITransformer Load(IHostEnvironment environment, ModelOperationsCatalog catalog, Stream stream,
        out DataViewSchema inputSchema, int? gpuDeviceId, bool fallbackToCpu)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        // ML.NET's ONNX transformers write their models to the temporary folder while loading: say so if it cannot take them.
        TemporaryFiles.CheckWritable(MLNetInternals.TempFilePath(environment), "loading the model");
        buffer.Position = 0;
        try
        {
            MLNetInternals.VerifyChecksums(buffer);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("The model file is damaged", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The model file is damaged or is not a model saved by ML.NET: {e.Message}", e);
        }
        // A model file is code-like input: no ONNX model inside may make ONNX Runtime read another file.
        buffer.Position = 0;
        foreach (var saved in MLNetInternals.OnnxModelsIn(buffer))
            if (AutoencoderOnnxModel.RefersToExternalData(saved.Bytes))
                throw new InvalidDataException($"The model file's ONNX model '{saved.Entry}' refers to data in another file; loading it would make ONNX Runtime read files the model names. Load only models you trust, and self-contained ones.");
        buffer.Position = 0;
        ITransformer model;
        // ML.NET's own ONNX transformers load with the MLContext's GpuDeviceId and FallbackToCpu, and their fallback does not
        // catch every way a GPU fails (a CPU-only ONNX Runtime has no CUDA entry point; the GPU build without CUDA fails to
        // load its provider): such a failure loads the file again with the context's GPU cleared, and says so once.
        bool contextFellBack = false;
        try
        {
            model = LoadInvariant(catalog, buffer, out inputSchema);
        }
        catch (Exception e) when (MLNetInternals.GpuDeviceId(environment) is int gpu && Chain(e).FirstOrDefault(OnnxBatchScorer.IsGpuFailure) is { } failure)
        {
            if (!MLNetInternals.FallbackToCpu(environment))
                throw new InvalidOperationException(OnnxBatchScorer.GpuUnavailable(gpu, failure) + " Set MLContext.FallbackToCpu to load and score on CPU instead.", e);
            Log.Warning(environment, "LoadWithAutoencoders", OnnxBatchScorer.GpuUnavailable(gpu, failure) + " Loading and scoring on CPU.");
            contextFellBack = true;
            buffer.Position = 0;
            using (MLNetInternals.WithoutGpu(environment))
                model = LoadInvariant(catalog, buffer, out inputSchema);
        }

        buffer.Position = 0;
        foreach (var saved in MLNetInternals.OnnxModelsIn(buffer))
        {
            if (!AutoencoderOnnxModel.TryFromRowGraph(saved.Bytes, out var batchModel, out var tag))
                continue;
            var options = ScoringColumns.FromJson(tag).ToOptions();
            options.GpuDeviceId = gpuDeviceId;
            options.FallbackToCpu = fallbackToCpu;
            // The context's GPU already failed and was reported: a stage that would use it scores on CPU without a second warning.
            var stage = new AutoencoderTransformer(environment, batchModel, options, training: null, onCpu: contextFellBack && gpuDeviceId is null);
            // The ONNX transformer is the first element of the stage's own chain: the stage is its parent.
            model = Replace(model, saved.Path[..^1], stage, saved.Entry);
        }
        return model;
    }

    /// <summary>
    /// ML.NET's own loader. Files saved by version 0.1.0 hold the threshold as text in an ML.NET Expression, which ML.NET
    /// parses with the current culture: they load under the invariant culture so they open everywhere (newer files hold no
    /// such text). A damaged file gives one <see cref="InvalidDataException"/>.
    /// </summary>
    private static ITransformer LoadInvariant(ModelOperationsCatalog catalog, Stream buffer, out DataViewSchema inputSchema)
    {
        var culture = CultureInfo.CurrentCulture;
        long start = buffer.Position;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return catalog.Load(buffer, out inputSchema);
                }
                catch (Exception e) when (attempt < MaxLoadAttempts && IsOrtFormatMisreading(e))
                {
                    buffer.Position = start;
                }
            }
        }
        catch (Exception e) when (IsDamaged(e))
        {
            throw new InvalidDataException($"The model file is damaged or is not a model saved by ML.NET: {Innermost(e).Message}", e);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>An exception and every inner one, outermost first.</summary>
    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            yield return current;
    }

    private static ITransformer Replace(ITransformer model, ReadOnlySpan<int> path, ITransformer stage, string entry)
    {
        if (path.IsEmpty)
        {
            // The saved form it replaces holds an ONNX Runtime session and ML.NET's temporary copy of the model.
            (model as IDisposable)?.Dispose();
            return stage;
        }
        if (model is not TransformerChain<ITransformer> chain)
            throw new InvalidDataException($"The saved model's layout does not match its entry '{entry}'.");
        var elements = chain.ToArray();
        elements[path[0]] = Replace(elements[path[0]], path[1..], stage, entry);
        return new TransformerChain<ITransformer>(elements);
    }

    // ML.NET wraps a loader's failure in "Error during class instantiation" exceptions, several deep; a damaged zip or
    // model bytes end in a zip/stream error or ONNX Runtime's [InvalidProtobuf].
    /// <summary>How many times ML.NET's loader is tried when ONNX Runtime misreads its temporary file (see <see cref="IsOrtFormatMisreading"/>).</summary>
    private const int MaxLoadAttempts = 3;

    /// <summary>
    /// ML.NET's ONNX transformer writes the model to a temporary file named by <c>Path.GetRandomFileName()</c>, whose random
    /// three-letter extension is <c>.ort</c> about once in 32,768 loads; ONNX Runtime then reads the file as its own ORT
    /// format and fails with "ORT model verification failed" (dotnet/machinelearning#7339). Our files hold ONNX models,
    /// never ORT-format ones, so that failure is this misreading, and loading again (a new random name) succeeds.
    /// </summary>
    internal static bool IsOrtFormatMisreading(Exception e) =>
        Chain(e).Any(inner => inner.Message.Contains("ORT model verification failed", StringComparison.Ordinal));

    private static bool IsDamaged(Exception e) => Innermost(e) is InvalidDataException or EndOfStreamException or FormatException
        || Innermost(e).Message.Contains("Protobuf", StringComparison.OrdinalIgnoreCase);

    private static Exception Innermost(Exception e) => Chain(e).Last();
}
