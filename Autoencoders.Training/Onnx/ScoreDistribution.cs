using System.Runtime.InteropServices;
using Autoencoders.Training.Onnx.Proto;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;
using DataType = Autoencoders.Training.Onnx.Proto.TensorProto.Types.DataType;

namespace Autoencoders.Training.Onnx;

/// <summary>
/// The training rows' score distribution inside the graph: sorted quantiles of the training (and validation) scores as
/// initializers, and the <see cref="OnnxNames.Probability"/> output, the share of training scores at or below a row's
/// score (the empirical CDF). Thresholds by contamination or validation percentile are recomputed from the same
/// quantiles after the model is saved and loaded.
/// </summary>
internal static class ScoreDistribution
{
    /// <summary>Most quantiles kept per distribution: all scores up to this many, else evenly spaced order statistics.</summary>
    public const int MaxQuantiles = 10_001;

    /// <summary>The initializer holding the training quantiles (the Probability output reads it).</summary>
    public const string TrainingQuantiles = "training_score_quantiles";

    /// <summary>
    /// The metadata entry holding the validation quantiles (base64 of little-endian float32): kept out of the initializers,
    /// which ONNX Runtime warns about when no node reads them.
    /// </summary>
    public const string ValidationQuantilesKey = OnnxNames.MetadataPrefix + "validation_score_quantiles";

    /// <summary>A copy of <paramref name="proto"/> with the distributions of <paramref name="training"/> (and <paramref name="validation"/>) and the Probability output.</summary>
    public static ModelProto With(ModelProto proto, IReadOnlyCollection<float> training, IReadOnlyCollection<float>? validation)
    {
        var copy = proto.Clone();
        var graph = copy.Graph;
        if (graph.Initializer.FirstOrDefault(i => i.Name == TrainingQuantiles) is { } old)
            graph.Initializer.Remove(old);
        if (copy.MetadataProps.FirstOrDefault(p => p.Key == ValidationQuantilesKey) is { } oldEntry)
            copy.MetadataProps.Remove(oldEntry);
        bool hadOutput = graph.Output.Any(o => o.Name == OnnxNames.Probability);
        var g = new OnnxGraphBuilder(graph);
        var quantiles = Quantiles(training);
        g.Initializer(TrainingQuantiles, quantiles, 1, quantiles.Length);
        if (validation is { Count: > 0 })
            copy.MetadataProps.Add(new StringStringEntryProto
            {
                Key = ValidationQuantilesKey,
                Value = Convert.ToBase64String(MemoryMarshal.AsBytes(Quantiles(validation).AsSpan())),
            });
        if (!hadOutput)
        {
            string column = g.Node("Unsqueeze", [OnnxNames.Score, g.Initializer("probability_axes", [1L], 1)]);
            string atOrBelow = g.Node("Cast", [g.Node("LessOrEqual", [TrainingQuantiles, column])], null, Attribute("to", (long)DataType.Float));
            g.Node("ReduceMean", [atOrBelow], OnnxNames.Probability, Attribute("axes", [1L]), Attribute("keepdims", 0L));
            graph.Output.Add(TensorInfo(OnnxNames.Probability, DataType.Float, OnnxNames.BatchDimension));
        }
        return copy;
    }

    /// <summary>The stored training quantiles, sorted; null when the graph has none.</summary>
    public static float[]? ReadTraining(ModelProto proto) =>
        proto.Graph.Initializer.FirstOrDefault(i => i.Name == TrainingQuantiles) is { } tensor ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray() : null;

    /// <summary>The stored validation quantiles, sorted; null when the graph has none.</summary>
    public static float[]? ReadValidation(ModelProto proto) =>
        proto.MetadataProps.FirstOrDefault(p => p.Key == ValidationQuantilesKey) is { } entry
            ? MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(entry.Value)).ToArray()
            : null;

    /// <summary>All scores, sorted, or <see cref="MaxQuantiles"/> evenly spaced order statistics of them.</summary>
    private static float[] Quantiles(IReadOnlyCollection<float> scores)
    {
        var sorted = scores.ToArray();
        if (sorted.Length == 0 || sorted.Any(float.IsNaN))
            throw new ArgumentException("The score distribution needs at least one score and no NaN.", nameof(scores));
        Array.Sort(sorted);
        if (sorted.Length <= MaxQuantiles)
            return sorted;
        return Enumerable.Range(0, MaxQuantiles).Select(i => sorted[(int)Math.Round(i * (sorted.Length - 1.0) / (MaxQuantiles - 1))]).ToArray();
    }
}
