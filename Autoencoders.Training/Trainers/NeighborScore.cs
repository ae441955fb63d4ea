using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// The nearest-neighbour score (<see cref="ScoreKind.NearestNeighbors"/>): stored training rows (standardized) and their
/// hidden features, and the mean and standard deviation of the training rows' own neighbour distances in each space.
/// </summary>
/// <remarks>
/// A distance is computed as the graph does, √max(0, ‖x‖² + ‖r‖² − 2 x·r), over the stored rows r; of the
/// <see cref="Neighbors"/> + 1 nearest, the nearest is dropped when it is within <see cref="SelfTolerance"/> (the row
/// itself, or an exact duplicate), otherwise the farthest, and the others are averaged. So a stored row is scored
/// leave-one-out, and the statistics computed from the stored rows describe new rows too.
/// </remarks>
internal sealed class NeighborScore
{
    /// <summary>Squared distance, per feature, below which the nearest stored row counts as the row itself.</summary>
    public const float SelfTolerancePerFeature = 1e-5f;

    internal NeighborScore(float[] rows, float[] hidden, int count, int inputWidth, int hiddenWidth, int neighbors,
        (float Mean, float Deviation) input, (float Mean, float Deviation) hiddenStatistics)
    {
        ReferenceRows = rows;
        ReferenceHidden = hidden;
        Count = count;
        InputWidth = inputWidth;
        HiddenWidth = hiddenWidth;
        Neighbors = neighbors;
        Input = input;
        Hidden = hiddenStatistics;
    }

    /// <summary>The stored training rows, standardized, row-major (<see cref="Count"/> × <see cref="InputWidth"/>).</summary>
    public float[] ReferenceRows { get; }

    /// <summary>Their hidden features, row-major (<see cref="Count"/> × <see cref="HiddenWidth"/>).</summary>
    public float[] ReferenceHidden { get; }

    /// <summary>Number of stored rows.</summary>
    public int Count { get; }

    /// <summary>Features per row.</summary>
    public int InputWidth { get; }

    /// <summary>Hidden features per row.</summary>
    public int HiddenWidth { get; }

    /// <summary>How many neighbours are averaged.</summary>
    public int Neighbors { get; }

    /// <summary>Mean and standard deviation of the stored rows' neighbour distances in the input.</summary>
    public (float Mean, float Deviation) Input { get; }

    /// <summary>Mean and standard deviation of the stored rows' neighbour distances in the hidden layer.</summary>
    public (float Mean, float Deviation) Hidden { get; }

    /// <summary>The tolerance of the self-match rule for rows of <paramref name="width"/> values (squared, standardized units).</summary>
    public static float SelfTolerance(int width) => SelfTolerancePerFeature * width;

    /// <summary>
    /// Builds the score from <paramref name="standardized"/> training rows: up to <paramref name="maxRows"/> of them, drawn
    /// with <paramref name="seed"/>, are stored with their hidden features under <paramref name="model"/>.
    /// </summary>
    internal static NeighborScore Build(AutoencoderNetwork model, FeatureMatrix standardized, int neighbors, int maxRows, int seed)
    {
        int d = standardized.Columns;
        if (maxRows == 0)
            maxRows = AutoencoderDefaults.AutomaticReferenceRows(d + model.HiddenWidth);
        int count = Math.Min(standardized.Rows, maxRows);
        var chosen = Enumerable.Range(0, standardized.Rows).ToArray();
        if (count < standardized.Rows)
        {
            new Random(seed).Shuffle(chosen);
            Array.Sort(chosen, 0, count); // stored in the data's order
        }
        var rows = new float[count * d];
        for (int i = 0; i < count; i++)
            standardized.Row(chosen[i]).CopyTo(rows.AsSpan(i * d, d));
        int k = Math.Max(1, Math.Min(neighbors, count - 1));

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        var x = torch.tensor(rows, [count, d]);
        var h = model.HiddenFeatures(x).contiguous();
        var hidden = TensorMemory.ToArray(h);
        int width = (int)h.shape[1];
        var unscaled = new NeighborScore(rows, hidden, count, d, width, k, (0, 1), (0, 1));
        // The stored rows' own distances, a chunk of queries at a time (all at once would be count² values).
        var inputDistances = new List<float>(count);
        var hiddenDistances = new List<float>(count);
        for (int start = 0; start < count; start += QueryChunkRows)
        {
            using var chunk = torch.NewDisposeScope();
            int rowsInChunk = Math.Min(QueryChunkRows, count - start);
            var (input, inHidden) = unscaled.Distances(x.narrow(0, start, rowsInChunk), h.narrow(0, start, rowsInChunk));
            inputDistances.AddRange(TensorMemory.ToArray(input));
            hiddenDistances.AddRange(TensorMemory.ToArray(inHidden));
        }
        return new NeighborScore(rows, hidden, count, d, width, k, Statistics(inputDistances), Statistics(hiddenDistances));
    }

    /// <summary>Query rows per distance computation while building: bounds the distance matrix to this many × stored rows.</summary>
    private const int QueryChunkRows = 512;

    private static (float Mean, float Deviation) Statistics(List<float> values)
    {
        double mean = values.Average(v => (double)v);
        double deviation = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        return ((float)mean, deviation > 1e-12 ? (float)deviation : 1f);
    }

    /// <summary>The score of standardized rows <paramref name="x"/> with hidden features <paramref name="h"/>: z(input distance) + z(hidden distance).</summary>
    internal Tensor Score(Tensor x, Tensor h)
    {
        var (input, hidden) = Distances(x, h);
        return Standardize(input, Input) + Standardize(hidden, Hidden);
    }

    // Constants enter as tensors, not as TorchSharp Scalars: an implicitly created Scalar can be finalized by the garbage
    // collector while libtorch still reads it (seen as "Unknown scalar type" under memory pressure with TorchSharp 0.107).
    private static Tensor Constant(float value, Tensor like) => torch.tensor(value, dtype: like.dtype, device: like.device);

    private static Tensor Standardize(Tensor distance, (float Mean, float Deviation) statistics) =>
        (distance - Constant(statistics.Mean, distance)) / Constant(statistics.Deviation, distance);

    private (Tensor Input, Tensor Hidden) Distances(Tensor x, Tensor h) =>
        (MeanNeighborDistance(x, ReferenceRows, InputWidth), MeanNeighborDistance(h, ReferenceHidden, HiddenWidth));

    /// <summary>Mean distance to the nearest stored rows, by the rule in the remarks (the exported graph computes the same).</summary>
    private Tensor MeanNeighborDistance(Tensor query, float[] reference, int width)
    {
        var r = torch.tensor(reference, [Count, width]);
        var products = query.matmul(r.t());
        var squares = (query * query).sum([1L], keepdim: true) - products - products + (r * r).sum([1L]).unsqueeze(0);
        var nearest = torch.nn.functional.relu(squares).topk(Neighbors + 1, dim: 1, largest: false, sorted: true).values;
        var distances = nearest.sqrt();
        var first = nearest.narrow(1, 0, 1).squeeze(1);
        var self = first.le(Constant(SelfTolerance(width), first));
        var dropped = torch.where(self, distances.narrow(1, 0, 1).squeeze(1), distances.narrow(1, Neighbors, 1).squeeze(1));
        return (distances.sum([1L]) - dropped) / Constant(Neighbors, dropped);
    }
}
