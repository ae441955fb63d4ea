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
/// <remarks>
/// The quantiles are stored in blocks of <see cref="BlockSize"/> (the last padded with NaN, which no comparison counts),
/// with each block's first value beside them, so that the graph counts a score's quantiles in two steps — the blocks
/// whose first value is at or below it, then the values at or below it in the last such block — comparing each row with
/// about 2√n values instead of all n (the default detector on 36 features, whole graph, batches of 256: 107,000 rows/s
/// comparing with all 10,001, 177,000 in blocks, 181,000 without the Probability output). Files that hold the quantiles as
/// one row, compared whole (0.1.0's), keep that form.
/// </remarks>
internal static class ScoreDistribution
{
    /// <summary>Most quantiles kept per distribution: all scores up to this many, else evenly spaced order statistics.</summary>
    public const int MaxQuantiles = 10_001;

    /// <summary>The initializer holding the training quantiles as one row [1, n], as earlier files (0.1.0's) store them.</summary>
    public const string TrainingQuantiles = "training_score_quantiles";

    /// <summary>The initializer holding the training quantiles in blocks [blocks, <see cref="BlockSize"/>], NaN after the last.</summary>
    public const string QuantileBlocks = "training_score_quantile_blocks";

    /// <summary>The initializer holding each block's first quantile [1, blocks].</summary>
    public const string QuantileStarts = "training_score_quantile_starts";

    /// <summary>The initializer holding the number of quantiles [1] (a float: the Probability's divisor).</summary>
    public const string QuantileCount = "training_score_quantile_count";

    /// <summary>Quantiles per block: 128 (79 blocks for 10,001 quantiles).</summary>
    public const int BlockSize = 128;

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
        bool hadOutput = graph.Output.Any(o => o.Name == OnnxNames.Probability);
        // An earlier file whose Probability nodes read the quantiles as one row keeps that form.
        bool oneRow = hadOutput && graph.Initializer.Any(i => i.Name == TrainingQuantiles);
        foreach (var old in graph.Initializer.Where(i => i.Name is TrainingQuantiles or QuantileBlocks or QuantileStarts or QuantileCount).ToList())
            graph.Initializer.Remove(old);
        if (copy.MetadataProps.FirstOrDefault(p => p.Key == ValidationQuantilesKey) is { } oldEntry)
            copy.MetadataProps.Remove(oldEntry);
        var g = new OnnxGraphBuilder(graph);
        var quantiles = Quantiles(training);
        if (oneRow)
            g.Initializer(TrainingQuantiles, quantiles, 1, quantiles.Length);
        else
        {
            int blocks = (quantiles.Length + BlockSize - 1) / BlockSize;
            var padded = new float[blocks * BlockSize];
            Array.Fill(padded, float.NaN);
            quantiles.CopyTo(padded, 0);
            g.Initializer(QuantileBlocks, padded, blocks, BlockSize);
            g.Initializer(QuantileStarts, Enumerable.Range(0, blocks).Select(b => padded[b * BlockSize]).ToArray(), 1, blocks);
            g.Initializer(QuantileCount, [(float)quantiles.Length], 1);
        }
        if (validation is { Count: > 0 })
            copy.MetadataProps.Add(new StringStringEntryProto
            {
                Key = ValidationQuantilesKey,
                Value = Convert.ToBase64String(MemoryMarshal.AsBytes(Quantiles(validation).AsSpan())),
            });
        if (!hadOutput)
        {
            string axes = g.Initializer("probability_axes", [1L], 1);
            string column = g.Node("Unsqueeze", [OnnxNames.Score, axes]);
            string CountAtOrBelow(string values) =>
                g.Node("ReduceSum", [g.Node("Cast", [g.Node("LessOrEqual", [values, column])], null, Attribute("to", (long)DataType.Float)), axes], null, Attribute("keepdims", 0L));
            // The last block whose first quantile is at or below the score (block 0 when none is: it then counts none).
            string block = g.Node("Max", [g.Node("Sub", [CountAtOrBelow(QuantileStarts), g.Initializer("probability_one", [1f], 1)]), g.Initializer("probability_zero", [0f], 1)]);
            string inBlock = CountAtOrBelow(g.Node("Gather", [QuantileBlocks, g.Node("Cast", [block], null, Attribute("to", (long)DataType.Int64))], null, Attribute("axis", 0L)));
            string count = g.Node("Add", [g.Node("Mul", [block, g.Initializer("probability_block_size", [(float)BlockSize], 1)]), inBlock]);
            g.Node("Div", [count, QuantileCount], OnnxNames.Probability);
            graph.Output.Add(TensorInfo(OnnxNames.Probability, DataType.Float, OnnxNames.BatchDimension));
        }
        return copy;
    }

    /// <summary>The stored training quantiles, sorted; null when the graph has none.</summary>
    public static float[]? ReadTraining(ModelProto proto)
    {
        var initializers = proto.Graph.Initializer;
        if (initializers.FirstOrDefault(i => i.Name == QuantileBlocks) is { } blocks
            && initializers.FirstOrDefault(i => i.Name == QuantileCount) is { } count)
            return MemoryMarshal.Cast<byte, float>(blocks.RawData.Span)[..(int)MemoryMarshal.Cast<byte, float>(count.RawData.Span)[0]].ToArray();
        return initializers.FirstOrDefault(i => i.Name == TrainingQuantiles) is { } row ? MemoryMarshal.Cast<byte, float>(row.RawData.Span).ToArray() : null;
    }

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
