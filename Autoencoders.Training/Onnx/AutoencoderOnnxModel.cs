using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using Autoencoders.Training.Onnx.Proto;
using Google.Protobuf;

namespace Autoencoders.Training.Onnx;

/// <summary>
/// An exported autoencoder: an ONNX model whose graph holds standardization, encoder, decoder, scores and threshold.
/// Any ONNX Runtime host can score it (input <c>Features</c>, rows × features, float32).
/// </summary>
public sealed class AutoencoderOnnxModel
{
    internal AutoencoderOnnxModel(ModelProto proto, string source = "the model")
    {
        Proto = proto;
        var graph = proto.Graph ?? throw Invalid(source, "it has no graph");
        if (proto.MetadataProps.All(p => p.Key != OnnxNames.VersionKey))
            throw Invalid(source, $"it has no '{OnnxNames.VersionKey}' metadata, which every model this library writes carries");
        if (ExternalTensor(proto) is { } external)
            throw Invalid(source, $"its tensor '{external.Name}' refers to data in another file; a model this library writes holds all its data itself, " +
                "and loading it would make ONNX Runtime read files the model names");
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
            throw Invalid(source, $"it has {inputs.Count} inputs; an autoencoder has exactly one");
        InputName = inputs[0].Name;
        InputSize = FeatureDimension(inputs[0], source);
        foreach (string required in new[] { OnnxNames.Score, OnnxNames.PredictedLabel })
            if (graph.Output.All(o => o.Name != required))
                throw Invalid(source, $"it has no '{required}' output");
        var latent = graph.Output.FirstOrDefault(o => o.Name == OnnxNames.Latent);
        LatentSize = latent is null ? 0 : FeatureDimension(latent, source);
        var threshold = graph.Initializer.FirstOrDefault(i => i.Name == OnnxNames.Threshold);
        if (threshold is null || threshold.DataType != (int)TensorProto.Types.DataType.Float || threshold.Dims.Count != 0 || threshold.RawData.Length != sizeof(float))
            throw Invalid(source, $"it has no scalar float '{OnnxNames.Threshold}' initializer");
        Threshold = MemoryMarshal.Read<float>(threshold.RawData.Span);
    }

    internal ModelProto Proto { get; }

    /// <summary>Names of the graph's outputs (see <see cref="OnnxNames"/>), in order.</summary>
    public IReadOnlyList<string> OutputNames => Proto.Graph.Output.Select(o => o.Name).ToList();

    /// <summary>Name of the graph input.</summary>
    public string InputName { get; }

    /// <summary>Number of input features.</summary>
    public int InputSize { get; }

    /// <summary>Size of the latent code (0 if the graph has no <c>Latent</c> output).</summary>
    public int LatentSize { get; }

    /// <summary>The anomaly threshold inside the graph: <c>PredictedLabel = Score &gt; Threshold</c>.</summary>
    public float Threshold { get; }

    /// <summary>The model's metadata (library version, architecture, threshold, training settings).</summary>
    public IReadOnlyDictionary<string, string> Metadata => Proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);

    /// <summary>The serialized ONNX model.</summary>
    public byte[] ToBytes() => Proto.ToByteArray();

    /// <summary>
    /// The model's ONNX bytes with only <paramref name="outputs"/> among its outputs, and only the nodes and initializers
    /// they need. ONNX Runtime runs every node of a graph whichever outputs are fetched, so a host that reads only
    /// <see cref="OnnxNames.Score"/> and <see cref="OnnxNames.PredictedLabel"/> scores faster with this graph.
    /// </summary>
    /// <exception cref="ArgumentException">An output is not one of <see cref="OutputNames"/>, or none is given.</exception>
    public byte[] ToBytes(IReadOnlyCollection<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count == 0)
            throw new ArgumentException("Name at least one output.", nameof(outputs));
        return GraphSlice.WithOutputs(this, outputs);
    }

    /// <summary>Writes the ONNX model to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToBytes());
    }

    /// <summary>Writes the ONNX model to <paramref name="stream"/>.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Proto.WriteTo(stream);
    }

    /// <summary>
    /// A copy that knows the score distribution of the training rows (and of the validation rows, when given): it adds the
    /// <see cref="OnnxNames.Probability"/> output (the share of training scores at or below a row's score) and keeps the
    /// sorted scores (up to 10,001 quantiles of each) for thresholds chosen later (<see cref="TrainingScoreQuantiles"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The training scores are empty or contain NaN.</exception>
    public AutoencoderOnnxModel WithScoreDistribution(IReadOnlyCollection<float> trainingScores, IReadOnlyCollection<float>? validationScores = null)
    {
        ArgumentNullException.ThrowIfNull(trainingScores);
        return new AutoencoderOnnxModel(ScoreDistribution.With(Proto, trainingScores, validationScores));
    }

    /// <summary>The training rows' scores, sorted (all of them, or 10,001 evenly spaced quantiles); null before <see cref="WithScoreDistribution"/>.</summary>
    public IReadOnlyList<float>? TrainingScoreQuantiles => ScoreDistribution.ReadTraining(Proto);

    /// <summary>The validation rows' scores, sorted, likewise; null when training held out no rows.</summary>
    public IReadOnlyList<float>? ValidationScoreQuantiles => ScoreDistribution.ReadValidation(Proto);

    /// <summary>A copy whose graph flags rows with Score above <paramref name="threshold"/>; nothing else changes.</summary>
    /// <param name="threshold">The new threshold.</param>
    /// <param name="rule">How it was chosen, recorded in the metadata (e.g. <c>contamination=0.05</c>); <see langword="null"/> records <c>explicit</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN or infinite.</exception>
    public AutoencoderOnnxModel WithThreshold(float threshold, string? rule = null)
    {
        if (!float.IsFinite(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a finite number.");
        var copy = Proto.Clone();
        var tensor = copy.Graph.Initializer.First(i => i.Name == OnnxNames.Threshold);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes([threshold]));
        var entry = copy.MetadataProps.FirstOrDefault(p => p.Key == OnnxNames.ThresholdKey);
        if (entry is null)
            copy.MetadataProps.Add(entry = new StringStringEntryProto { Key = OnnxNames.ThresholdKey });
        entry.Value = threshold.ToString("R", CultureInfo.InvariantCulture);
        var ruleEntry = copy.MetadataProps.FirstOrDefault(p => p.Key == OnnxNames.ThresholdRuleKey);
        if (ruleEntry is null)
            copy.MetadataProps.Add(ruleEntry = new StringStringEntryProto { Key = OnnxNames.ThresholdRuleKey });
        ruleEntry.Value = rule ?? "explicit";
        return new AutoencoderOnnxModel(copy);
    }

    /// <summary>An output of <see cref="ToRowGraph"/>: the graph output (e.g. <see cref="OnnxNames.Score"/>) and the name it leaves the row graph under.</summary>
    /// <param name="GraphOutput">One of this model's outputs.</param>
    /// <param name="Name">The row graph's output name; must not start with <see cref="OnnxNames.ReservedPrefix"/>.</param>
    public readonly record struct RowGraphOutput(string GraphOutput, string Name);

    /// <summary>
    /// The one-row form of this model for hosts that feed one row at a time and read plain vectors (ML.NET's ONNX
    /// transformer): input [1, features] named <paramref name="inputName"/>, each of <paramref name="outputs"/> reshaped to
    /// a [k] vector (the score to a 1-vector). <paramref name="tag"/> is kept in the metadata; <see cref="TryFromRowGraph"/>
    /// recovers this model, byte for byte, and the tag.
    /// </summary>
    /// <exception cref="InvalidOperationException">A requested output does not exist in this model.</exception>
    public byte[] ToRowGraph(string inputName, IReadOnlyList<RowGraphOutput> outputs, string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(tag);
        return RowGraph.Create(this, inputName, outputs, tag);
    }

    /// <summary>
    /// Recovers the model and the tag from a row graph made by <see cref="ToRowGraph"/> (also one saved by version 0.1.0);
    /// false for any other ONNX model.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    public static bool TryFromRowGraph(byte[] bytes, [NotNullWhen(true)] out AutoencoderOnnxModel? model, [NotNullWhen(true)] out string? tag)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        (model, tag) = RowGraph.TryRestore(Parse(bytes, "the row graph")) is { } restored ? restored : (null, null);
        return model is not null;
    }

    /// <summary>
    /// The decoder alone as an ONNX model: input <c>Latent</c> (rows × latent size), output <c>Reconstruction</c> (rows ×
    /// features, original scale), cut out of this graph. Feed it codes from the <c>Latent</c> output, or for a variational
    /// model samples from N(0, I), to generate rows in any ONNX Runtime host.
    /// </summary>
    /// <exception cref="InvalidOperationException">The decoder has U-Net skip connections, so it cannot decode a code alone.</exception>
    public byte[] ExtractDecoder() => DecoderGraph.Extract(this);

    /// <summary>True for a variational autoencoder (codes follow N(0, I) in training, so decoding samples from it generates new rows).</summary>
    public bool Variational => Proto.MetadataProps.Any(p => p.Key == OnnxNames.VariationalKey && p.Value == "true");

    /// <summary>Reads an exported model from a file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model exported by Autoencoders.ML.</exception>
    public static AutoencoderOnnxModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        return FromBytes(File.ReadAllBytes(path), $"'{path}'");
    }

    /// <summary>Reads an exported model from a stream (to its end).</summary>
    /// <exception cref="InvalidDataException">The stream does not hold an ONNX model exported by Autoencoders.ML.</exception>
    public static AutoencoderOnnxModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return FromBytes(buffer.ToArray(), "the stream");
    }

    /// <summary>Reads an exported model from its bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model exported by Autoencoders.ML.</exception>
    public static AutoencoderOnnxModel FromBytes(byte[] bytes, string source = "the model bytes")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
            throw Invalid(source, "it is empty");
        return new AutoencoderOnnxModel(Parse(bytes, source), source);
    }

    private static ModelProto Parse(byte[] bytes, string source)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source} is not a valid ONNX model (it may be truncated or corrupted): {e.Message}", e);
        }
    }

    private static int FeatureDimension(ValueInfoProto value, string source)
    {
        var dims = value.Type?.TensorType?.Shape?.Dim;
        if (value.Type?.TensorType?.ElemType != (int)TensorProto.Types.DataType.Float || dims is null || dims.Count != 2
            || dims[1].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || dims[1].DimValue < 1)
            throw Invalid(source, $"'{value.Name}' is not a float tensor of shape [rows, features] with a fixed feature count");
        return checked((int)dims[1].DimValue);
    }

    /// <summary>
    /// Whether an ONNX model (any, not only this library's) has a tensor whose data lives in another file: ONNX Runtime
    /// would read the file the model names. This library's loaders refuse such a model.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    public static bool RefersToExternalData(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return ExternalTensor(Parse(bytes, "the model bytes")) is not null;
    }

    private static TensorProto? ExternalTensor(ModelProto proto) =>
        proto.Graph?.Initializer.FirstOrDefault(i => i.DataLocation == TensorProto.Types.DataLocation.External || i.ExternalData.Count > 0);

        private static InvalidDataException Invalid(string source, string reason) =>
        new($"{source} is not an autoencoder exported by Autoencoders.ML: {reason}.");
}
