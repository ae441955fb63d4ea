using System.Globalization;
using Autoencoders.Training.Models;
using Autoencoders.Training.Onnx.Proto;
using Autoencoders.Training.Training;
using TorchSharp;
using TorchSharp.Modules;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;
using DataType = Autoencoders.Training.Onnx.Proto.TensorProto.Types.DataType;
using Google.Protobuf;

namespace Autoencoders.Training.Onnx;

/// <summary>
/// Writes a trained autoencoder as one ONNX graph (IR 8, opset 17, dynamic batch): standardization, encoder, decoder,
/// de-standardization, per-feature errors, score and thresholded label.
/// </summary>
internal static class AutoencoderOnnxExporter
{
    public const long IrVersion = 8;
    public const long OpsetVersion = 17;
    private const float BatchNormEpsilon = 1e-5f; // TorchSharp's BatchNorm1d default, which DenseAutoencoder uses

    public static AutoencoderOnnxModel Export(TrainedAutoencoder trained, float threshold)
    {
        ArgumentNullException.ThrowIfNull(trained);
        if (!float.IsFinite(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a finite number.");
        using var scope = torch.NewDisposeScope(); // the detached CPU copies read from the weights

        var model = NewModel("dense_autoencoder");
        var g = new OnnxGraphBuilder(model.Graph);
        int d = trained.InputSize;
        var module = trained.Model;

        DeclareInput(g.Graph, OnnxNames.Features, d);
        string mean = g.Initializer("standardizer_mean", trained.Standardizer.Mean, d);
        string scale = g.Initializer("standardizer_scale", trained.Standardizer.Scale, d);
        string standardized = g.Node("Mul", [g.Node("Sub", [OnnxNames.Features, mean]), scale], "standardized");

        string? divergence = null;
        if (trained.Architecture.Variational)
        {
            // The last encoder layer gives mean ‖ log-variance; the code (and the reconstruction) is the mean.
            long latent = trained.Architecture.LatentSize;
            string both = AppendLayers(g, module.EncoderLayers, standardized, "encoder", "encoder_distribution");
            string axes = g.Initializer("slice_axes", [1L], 1);
            g.Node("Slice", [both, g.Initializer("mean_start", [0L], 1), g.Initializer("mean_end", [latent], 1), axes], OnnxNames.Latent);
            string logVariance = g.Node("Slice", [both, g.Initializer("log_variance_start", [latent], 1), g.Initializer("log_variance_end", [2 * latent], 1), axes], "log_variance");
            if (trained.VariationalScore == VariationalScore.NegativeElbo)
            {
                // KL(N(μ, σ²) ‖ N(0, I)) = −½ Σ (1 + log σ² − μ² − σ²), scaled by 2β / features like the training objective.
                string terms = g.Node("Sub", [g.Node("Sub", [g.Node("Add", [logVariance, Constant(g, "one", 1f)]), g.Node("Mul", [OnnxNames.Latent, OnnxNames.Latent])]), g.Node("Exp", [logVariance])]);
                string sum = g.Node("ReduceSum", [terms, g.Initializer("kl_axes", [1L], 1)], null, Attribute("keepdims", 0L));
                divergence = g.Node("Mul", [sum, Constant(g, "kl_scale", (float)(-0.5 * 2 * trained.KLWeight / d))], "kl_term");
            }
        }
        else
            AppendLayers(g, module.EncoderLayers, standardized, "encoder", OnnxNames.Latent);
        string restored = AppendLayers(g, module.DecoderLayers, OnnxNames.Latent, "decoder", "restored");

        g.Node("Add", [g.Node("Div", [restored, scale]), mean], OnnxNames.Reconstruction);
        string difference = g.Node("Sub", [restored, standardized]);
        g.Node("Mul", [difference, difference], OnnxNames.FeatureErrors);
        string rowError = g.Node("ReduceMean", [OnnxNames.FeatureErrors], "row_error", Attribute("axes", [1L]), Attribute("keepdims", 0L));
        if (divergence is not null)
            rowError = g.Node("Add", [rowError, divergence], "negative_elbo");
        // A row with NaN or infinite inputs gets score +inf (so it is flagged), never a silent NaN.
        string infinity = g.Initializer("positive_infinity", [float.PositiveInfinity]);
        g.Node("Where", [g.Node("IsNaN", [rowError]), infinity, rowError], OnnxNames.Score);
        g.Initializer(OnnxNames.Threshold, [threshold]);
        g.Node("Greater", [OnnxNames.Score, OnnxNames.Threshold], OnnxNames.PredictedLabel);
        if (trained.GaussianNoiseSigma is double sigma)
        {
            string residual = g.Node("Sub", [OnnxNames.Reconstruction, OnnxNames.Features]);
            g.Node("Div", [residual, g.Initializer("noise_variance", [(float)(sigma * sigma)])], OnnxNames.ScoreFunction);
        }

        DeclareOutputs(g.Graph, d, trained.Architecture.LatentSize, scoreFunction: trained.GaussianNoiseSigma is not null);

        AddMetadata(model, OnnxNames.VersionKey, LibraryVersion);
        AddMetadata(model, OnnxNames.KindKey, "dense");
        AddMetadata(model, OnnxNames.ArchitectureKey, trained.Architecture.Describe(d));
        AddMetadata(model, OnnxNames.InputSizeKey, d.ToString(CultureInfo.InvariantCulture));
        AddMetadata(model, OnnxNames.LatentSizeKey, trained.Architecture.LatentSize.ToString(CultureInfo.InvariantCulture));
        AddMetadata(model, OnnxNames.ThresholdKey, threshold.ToString("R", CultureInfo.InvariantCulture));
        AddMetadata(model, OnnxNames.TrainingKey, trained.Settings.ToString());
        if (trained.GaussianNoiseSigma is double noiseSigma)
            AddMetadata(model, OnnxNames.ScoreFunctionSigmaKey, noiseSigma.ToString("R", CultureInfo.InvariantCulture));
        AddMetadata(model, OnnxNames.HistoryKey, string.Create(CultureInfo.InvariantCulture,
            $"epochs_run={trained.History.Count}; best_epoch={trained.BestEpoch}; stopped_early={trained.StoppedEarly}; final_training_loss={trained.History[^1].TrainingLoss:R}"));
        return new AutoencoderOnnxModel(model);
    }

    /// <summary>An empty model: IR 8, opset 17, this library as producer.</summary>
    private static ModelProto NewModel(string graphName)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Autoencoders.ML",
            ProducerVersion = LibraryVersion,
            Graph = new GraphProto { Name = graphName },
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        return model;
    }

    /// <summary>The decoder alone: Latent (rows × latent) → Reconstruction (rows × features, original scale).</summary>
    public static byte[] ExportDecoder(TrainedAutoencoder trained)
    {
        ArgumentNullException.ThrowIfNull(trained);
        using var scope = torch.NewDisposeScope();
        var model = NewModel("autoencoder_decoder");
        var g = new OnnxGraphBuilder(model.Graph);
        int d = trained.InputSize;
        long latent = trained.Architecture.LatentSize;
        g.Graph.Input.Add(TensorInfo(OnnxNames.Latent, DataType.Float, OnnxNames.BatchDimension, latent));
        string restored = AppendLayers(g, trained.Model.DecoderLayers, OnnxNames.Latent, "decoder", "restored");
        g.Node("Add", [g.Node("Div", [restored, g.Initializer("standardizer_scale", trained.Standardizer.Scale, d)]),
            g.Initializer("standardizer_mean", trained.Standardizer.Mean, d)], OnnxNames.Reconstruction);
        g.Graph.Output.Add(TensorInfo(OnnxNames.Reconstruction, DataType.Float, OnnxNames.BatchDimension, (long)d));
        AddMetadata(model, OnnxNames.VersionKey, LibraryVersion);
        AddMetadata(model, OnnxNames.ArchitectureKey, trained.Architecture.Describe(d));
        return model.ToByteArray();
    }

    /// <summary>Declares the graph input: <paramref name="name"/>, float [N, <paramref name="inputSize"/>].</summary>
    internal static void DeclareInput(GraphProto graph, string name, int inputSize) =>
        graph.Input.Add(TensorInfo(name, DataType.Float, OnnxNames.BatchDimension, (long)inputSize));

    /// <summary>Declares the graph outputs, in <see cref="OnnxNames.Outputs"/> order (then ScoreFunction when present), with a dynamic batch dimension.</summary>
    internal static void DeclareOutputs(GraphProto graph, int inputSize, int latentSize, bool scoreFunction)
    {
        graph.Output.Add(TensorInfo(OnnxNames.Reconstruction, DataType.Float, OnnxNames.BatchDimension, (long)inputSize));
        graph.Output.Add(TensorInfo(OnnxNames.Latent, DataType.Float, OnnxNames.BatchDimension, (long)latentSize));
        graph.Output.Add(TensorInfo(OnnxNames.FeatureErrors, DataType.Float, OnnxNames.BatchDimension, (long)inputSize));
        graph.Output.Add(TensorInfo(OnnxNames.Score, DataType.Float, OnnxNames.BatchDimension));
        graph.Output.Add(TensorInfo(OnnxNames.PredictedLabel, DataType.Bool, OnnxNames.BatchDimension));
        if (scoreFunction)
            graph.Output.Add(TensorInfo(OnnxNames.ScoreFunction, DataType.Float, OnnxNames.BatchDimension, (long)inputSize));
    }

    /// <summary>The library version written into models (assembly version, without build metadata so exports are byte-for-byte reproducible).</summary>
    public static string LibraryVersion { get; } = typeof(AutoencoderOnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static void AddMetadata(ModelProto model, string key, string value) =>
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });

    private static string AppendLayers(OnnxGraphBuilder g, IReadOnlyList<Layer> layers, string input, string prefix, string output)
    {
        string current = input;
        int last = Enumerable.Range(0, layers.Count).Last(i => layers[i].Kind != LayerKind.Dropout);
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            string? name = i == last ? output : null;
            string stem = $"{prefix}_{i}";
            current = layer.Kind switch
            {
                LayerKind.Linear => Linear(g, (Linear)layer.Module, current, stem, name),
                LayerKind.BatchNorm => BatchNorm(g, (BatchNorm1d)layer.Module, current, stem, name),
                LayerKind.Activation => Activate(g, layer.Activation, current, name),
                LayerKind.Dropout => current, // identity at inference
                _ => throw new InvalidOperationException($"No ONNX translation for layer kind {layer.Kind}."),
            };
        }
        return current;
    }

    private static string Linear(OnnxGraphBuilder g, Linear linear, string input, string stem, string? output)
    {
        string weight = g.Initializer(stem + "_weight", Values(linear.weight!), linear.weight!.shape);
        string bias = g.Initializer(stem + "_bias", Values(linear.bias!), linear.bias!.shape);
        return g.Node("Gemm", [input, weight, bias], output, Attribute("transB", 1L));
    }

    private static string BatchNorm(OnnxGraphBuilder g, BatchNorm1d norm, string input, string stem, string? output)
    {
        string scale = g.Initializer(stem + "_scale", Values(norm.weight!), norm.weight!.shape);
        string bias = g.Initializer(stem + "_bias", Values(norm.bias!), norm.bias!.shape);
        string mean = g.Initializer(stem + "_running_mean", Values(norm.running_mean!), norm.running_mean!.shape);
        string variance = g.Initializer(stem + "_running_var", Values(norm.running_var!), norm.running_var!.shape);
        return g.Node("BatchNormalization", [input, scale, bias, mean, variance], output, Attribute("epsilon", BatchNormEpsilon));
    }

    private static string Activate(OnnxGraphBuilder g, Activation activation, string input, string? output) => activation switch
    {
        Activation.ReLU => g.Node("Relu", [input], output),
        Activation.LeakyReLU => g.Node("LeakyRelu", [input], output, Attribute("alpha", (float)Layer.LeakyReluSlope)),
        Activation.Tanh => g.Node("Tanh", [input], output),
        Activation.Sigmoid => g.Node("Sigmoid", [input], output),
        // Opset 17 has no Gelu: 0.5·x·(1 + erf(x/√2)), the exact form TorchSharp's GELU computes.
        Activation.GELU => g.Node("Mul", [g.Node("Mul", [input, g.Node("Add", [g.Node("Erf", [g.Node("Div", [input, Constant(g, "sqrt2", MathF.Sqrt(2f))])]), Constant(g, "one", 1f)])]), Constant(g, "half", 0.5f)], output),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    private static string Constant(OnnxGraphBuilder g, string stem, float value) => g.Initializer(g.UniqueName(stem), [value]);

    private static float[] Values(torch.Tensor tensor) => TensorMemory.ToArray(tensor);
}
