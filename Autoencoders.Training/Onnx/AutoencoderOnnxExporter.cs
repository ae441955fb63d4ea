using System.Globalization;
using Autoencoders.Training.Models;
using Autoencoders.Training.Onnx.Proto;
using Autoencoders.Training.Scores;
using Autoencoders.Training.Trainers;
using TorchSharp;
using TorchSharp.Modules;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;
using DataType = Autoencoders.Training.Onnx.Proto.TensorProto.Types.DataType;
using Google.Protobuf;

namespace Autoencoders.Training.Onnx;

/// <summary>
/// Writes a trained autoencoder as one ONNX graph (IR 8, opset 17, dynamic batch): standardization, encoder, decoder,
/// de-standardization, per-feature errors, score and thresholded label. Extension methods of <see cref="TrainedAutoencoder"/>.
/// </summary>
public static class AutoencoderOnnxExporter
{
    /// <summary>The ONNX IR version of exported models.</summary>
    public const long IrVersion = 8;

    /// <summary>The ONNX operator set of exported models.</summary>
    public const long OpsetVersion = 17;

    /// <summary>Exports the model as a self-contained ONNX graph with the given anomaly <paramref name="threshold"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN or infinite.</exception>
    public static AutoencoderOnnxModel ExportOnnx(this TrainedAutoencoder trained, float threshold)
    {
        ArgumentNullException.ThrowIfNull(trained);
        if (!float.IsFinite(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a finite number.");
        using var scope = torch.NewDisposeScope(); // the detached CPU copies read from the weights

        var model = NewModel(trained.Convolutional ? "convolutional_autoencoder" : "dense_autoencoder");
        var g = new OnnxGraphBuilder(model.Graph);
        int d = trained.InputSize;
        var module = trained.Model;

        DeclareInput(g.Graph, OnnxNames.Features, d);
        string mean = g.Initializer("standardizer_mean", trained.Standardizer.Mean, d);
        string scale = g.Initializer("standardizer_scale", trained.Standardizer.Scale, d);
        string standardized = g.Node("Mul", [g.Node("Sub", [OnnxNames.Features, mean]), scale], "standardized");

        const string restored = "restored";
        // A residual network's layers give a correction, added to the standardized input below.
        string output = module.Residual ? "correction" : restored;
        string? divergence = null;
        string hidden = OnnxNames.Latent;
        switch (module)
        {
            case ConvolutionalAutoencoder convolutional:
                ConvolutionalOnnx.Append(g, convolutional, standardized, output);
                break;
            case DenseAutoencoder dense:
                (divergence, hidden) = DenseOnnx.Append(g, dense, standardized, output, trained.VariationalScore, trained.KLWeight);
                break;
            default:
                throw new InvalidOperationException($"No ONNX translation for {module.GetType().Name}.");
        }
        if (module.Residual)
            g.Node("Add", [standardized, output], restored);

        g.Node("Add", [g.Node("Div", [restored, scale]), mean], OnnxNames.Reconstruction);
        string difference = g.Node("Sub", [restored, standardized]);
        g.Node("Mul", [difference, difference], OnnxNames.FeatureErrors);
        string rowError = g.Node("ReduceMean", [OnnxNames.FeatureErrors], "row_error", Attribute("axes", [1L]), Attribute("keepdims", 0L));
        if (divergence is not null)
            rowError = g.Node("Add", [rowError, divergence], "negative_elbo");
        if (trained.Neighbors is NeighborScore neighbors)
            rowError = NeighborGraph.Append(g, neighbors, standardized, hidden, OnnxNames.FeatureErrors, rows => module switch
            {
                ConvolutionalAutoencoder convolutional => ConvolutionalOnnx.AppendEncoder(g, convolutional, rows, "smoothed_", "smoothed_hidden"),
                DenseAutoencoder dense => DenseOnnx.AppendHidden(g, dense, rows, "smoothed_"),
                _ => throw new InvalidOperationException($"No ONNX translation for {module.GetType().Name}."),
            });
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

        DeclareOutputs(g.Graph, d, trained.LatentSize, scoreFunction: trained.GaussianNoiseSigma is not null);

        AddMetadata(model, OnnxNames.VersionKey, LibraryVersion);
        AddMetadata(model, OnnxNames.KindKey, trained.Convolutional ? "convolutional" : "dense");
        AddMetadata(model, OnnxNames.ArchitectureKey, trained.Architecture);
        if (trained.Variational)
            AddMetadata(model, OnnxNames.VariationalKey, "true");
        if (trained.ImageShape is ImageShape image)
            AddMetadata(model, OnnxNames.ImageShapeKey, image.ToString());
        AddMetadata(model, OnnxNames.InputSizeKey, d.ToString(CultureInfo.InvariantCulture));
        AddMetadata(model, OnnxNames.LatentSizeKey, trained.LatentSize.ToString(CultureInfo.InvariantCulture));
        AddMetadata(model, OnnxNames.ThresholdKey, threshold.ToString("R", CultureInfo.InvariantCulture));
        AddMetadata(model, OnnxNames.ScoreKey, ScoreDescription(trained));
        AddMetadata(model, OnnxNames.ContentsKey, Contents(trained));
        AddMetadata(model, OnnxNames.TrainingKey, trained.Settings.ToString());
        if (trained.GaussianNoiseSigma is double noiseSigma)
            AddMetadata(model, OnnxNames.ScoreFunctionSigmaKey, noiseSigma.ToString("R", CultureInfo.InvariantCulture));
        AddMetadata(model, OnnxNames.HistoryKey, string.Create(CultureInfo.InvariantCulture,
            $"epochs_run={trained.History.Count}; best_epoch={trained.BestEpoch}; stopped_early={trained.StoppedEarly}; final_training_loss={trained.History[^1].TrainingLoss:R}"));
        return new AutoencoderOnnxModel(model);
    }

    /// <summary>What the Score output means, in words (metadata <see cref="OnnxNames.ScoreKey"/>).</summary>
    private static string ScoreDescription(TrainedAutoencoder trained) => trained.Neighbors is NeighborScore neighbors
        ? neighbors.Describe(trained.Model is DenseAutoencoder { FirstHiddenBlockLayers: > 0 } ? "the encoder's first hidden layer" : "the code")
        : trained.Variational && trained.VariationalScore == VariationalScore.NegativeElbo
            ? "negative_elbo: mean squared reconstruction error per feature (standardized) + (2 beta / features) KL(q(z|x) || N(0, I)) at the mean code"
            : "reconstruction_error: mean squared reconstruction error per feature, in standardized units; higher is more anomalous";

    /// <summary>What the file holds of the training data, in words (metadata <see cref="OnnxNames.ContentsKey"/>).</summary>
    private static string Contents(TrainedAutoencoder trained) =>
        "the network's weights; the training rows' per-feature mean and scale (standardization); " +
        (trained.Neighbors is NeighborScore neighbors ? neighbors.Contents() : "no training row") +
        "; once fitted by an ML.NET stage, up to 10,001 quantiles of the training rows' scores (the Probability output)";

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

    /// <summary>
    /// Exports the decoder alone as an ONNX graph: input <c>Latent</c> (rows × latent size), output <c>Reconstruction</c>
    /// (rows × features, original scale); the same graph <see cref="AutoencoderOnnxModel.ExtractDecoder"/> cuts out of the
    /// full export. Feed it codes from the main graph's <c>Latent</c> output, or for a variational model samples from
    /// N(0, I), to generate data in any ONNX Runtime host.
    /// </summary>
    /// <exception cref="InvalidOperationException">The decoder reads more than the code (U-Net skip connections, a residual model, full-resolution blocks), so it cannot decode a code alone.</exception>
    public static byte[] ExportDecoderOnnx(this TrainedAutoencoder trained)
    {
        ArgumentNullException.ThrowIfNull(trained);
        return trained.ExportOnnx(0f).ExtractDecoder();
    }

    /// <summary>Declares the graph input: <paramref name="name"/>, float [N, <paramref name="inputSize"/>].</summary>
    private static void DeclareInput(GraphProto graph, string name, int inputSize) =>
        graph.Input.Add(TensorInfo(name, DataType.Float, OnnxNames.BatchDimension, (long)inputSize));

    /// <summary>Declares the graph outputs, in <see cref="OnnxNames.Outputs"/> order (then ScoreFunction when present), with a dynamic batch dimension.</summary>
    private static void DeclareOutputs(GraphProto graph, int inputSize, int latentSize, bool scoreFunction)
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
}
