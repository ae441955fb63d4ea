using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// The nearest-neighbour score (<see cref="ScoreKind.NearestNeighbors"/>): stored training rows (standardized, and
/// smoothed when they are images) and their hidden features, and the mean and standard deviation of the training rows'
/// own neighbour distances in each space.
/// </summary>
/// <remarks>
/// A distance is computed as the graph does, √max(0, ‖x‖² + ‖r‖² − 2 x·r), over the stored rows r; of the
/// <see cref="Neighbors"/> + 1 nearest, the nearest is dropped when it is within <see cref="SelfTolerance"/> (the row
/// itself, or an exact duplicate), otherwise the farthest, and the others are averaged. So a stored row is scored
/// leave-one-out, and the statistics computed from the stored rows describe new rows too. Both the stored rows and the
/// query are first moved by the stored rows' mean (<see cref="InputCenter"/>, <see cref="HiddenCenter"/>): distances do
/// not change, but the norms in that formula become the rows' spread instead of their offset from 0, so near neighbours
/// are not lost to float rounding (a code whose values all sit near 0.6 but differ by 0.002 kept only two digits). Image rows
/// are compared as <see cref="Image"/> says: after a Gaussian blur of each channel (edges replicated, as
/// <see cref="GaussianBlur"/> does), in both views — the hidden features are those of the smoothed image — and, in the
/// input, at the best of a few shifts: the distance of a query to a stored image is the smallest over the query moved by
/// up to <see cref="ImageComparison.Shift"/> pixels each way (edges replicated), so an object drawn a pixel further left
/// than every training image has it is not far from all of them.
/// </remarks>
internal sealed class NeighborScore
{
    /// <summary>Squared distance, per feature, below which the nearest stored row counts as the row itself.</summary>
    public const float SelfTolerancePerFeature = 1e-5f;

    internal NeighborScore(float[] rows, float[] inputCenter, float[] hidden, float[] hiddenCenter, int count, int inputWidth, int hiddenWidth, int neighbors,
        (float Mean, float Deviation) input, (float Mean, float Deviation) hiddenStatistics, ImageComparison? image)
    {
        Image = image;
        ReferenceRows = rows;
        InputCenter = inputCenter;
        ReferenceHidden = hidden;
        HiddenCenter = hiddenCenter;
        Count = count;
        InputWidth = inputWidth;
        HiddenWidth = hiddenWidth;
        Neighbors = neighbors;
        Input = input;
        Hidden = hiddenStatistics;
    }

    /// <summary>How image rows are compared (blur, shifts); <see langword="null"/> when rows are compared as they are.</summary>
    public ImageComparison? Image { get; }

    /// <summary>
    /// The stored training rows, standardized (and smoothed, see <see cref="Image"/>), less <see cref="InputCenter"/>,
    /// row-major (<see cref="Count"/> × <see cref="InputWidth"/>).
    /// </summary>
    public float[] ReferenceRows { get; }

    /// <summary>The mean of the stored rows (standardized and smoothed), taken from them and from every query.</summary>
    public float[] InputCenter { get; }

    /// <summary>Their hidden features less <see cref="HiddenCenter"/>, row-major (<see cref="Count"/> × <see cref="HiddenWidth"/>).</summary>
    public float[] ReferenceHidden { get; }

    /// <summary>The mean of the stored rows' hidden features, taken from them and from every query's.</summary>
    public float[] HiddenCenter { get; }

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
    /// with <paramref name="seed"/>, are stored with their hidden features under <paramref name="model"/>. Rows laid out as
    /// <paramref name="image"/> are compared smoothed by a Gaussian of σ <paramref name="smoothingSigma"/> pixels (0: as they are)
    /// and, in the input, at the best of the query's shifts by up to <paramref name="shift"/> pixels (0: in place).
    /// </summary>
    internal static NeighborScore Build(AutoencoderNetwork model, FeatureMatrix standardized, int neighbors, int maxRows, int seed,
        ImageShape? image = null, double smoothingSigma = 0, int shift = 0)
    {
        var comparison = image is not null && (smoothingSigma > 0 || shift > 0) ? new ImageComparison(image, smoothingSigma, shift) : null;
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
        if (comparison is { Smooths: true })
        {
            x = comparison.Smooth(x).contiguous();
            rows = TensorMemory.ToArray(x);
        }
        var h = model.HiddenFeatures(x).contiguous();
        var hidden = TensorMemory.ToArray(h);
        int width = (int)h.shape[1];
        var inputCenter = Center(rows, count, d);
        var hiddenCenter = Center(hidden, count, width);
        var unscaled = new NeighborScore(rows, inputCenter, hidden, hiddenCenter, count, d, width, k, (0, 1), (0, 1), comparison);
        // The stored rows' own distances, a chunk of queries at a time (all at once would be count² values).
        var inputDistances = new List<float>(count);
        var hiddenDistances = new List<float>(count);
        for (int start = 0; start < count; start += QueryChunkRows)
        {
            using var chunk = torch.NewDisposeScope();
            int rowsInChunk = Math.Min(QueryChunkRows, count - start);
            var (input, inHidden) = unscaled.SmoothedDistances(x.narrow(0, start, rowsInChunk), h.narrow(0, start, rowsInChunk));
            inputDistances.AddRange(TensorMemory.ToArray(input));
            hiddenDistances.AddRange(TensorMemory.ToArray(inHidden));
        }
        return new NeighborScore(rows, inputCenter, hidden, hiddenCenter, count, d, width, k, Statistics(inputDistances), Statistics(hiddenDistances), comparison);
    }

    /// <summary>Subtracts the mean row from <paramref name="rows"/> (<paramref name="count"/> × <paramref name="width"/>) in place; returns the mean row.</summary>
    private static float[] Center(float[] rows, int count, int width)
    {
        var sums = new double[width];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++)
                sums[j] += rows[i * width + j];
        var center = sums.Select(v => (float)(v / count)).ToArray();
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++)
                rows[i * width + j] -= center[j];
        return center;
    }

    /// <summary>Query rows per distance computation while building: bounds the distance matrix to this many × stored rows.</summary>
    private const int QueryChunkRows = 512;

    private static (float Mean, float Deviation) Statistics(List<float> values)
    {
        double mean = values.Average(v => (double)v);
        double deviation = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        return ((float)mean, deviation > 1e-12 ? (float)deviation : 1f);
    }

    /// <summary>
    /// The score of standardized rows <paramref name="x"/>: z(input distance) + z(hidden distance), the hidden features
    /// <paramref name="model"/>'s; image rows are smoothed first, for both.
    /// </summary>
    /// <remarks>Rows are scored <see cref="QueryChunkRows"/> at a time, which bounds the distance matrix (× the shifted positions).</remarks>
    internal Tensor Score(Tensor x, AutoencoderNetwork model)
    {
        if (x.shape[0] <= QueryChunkRows)
            return ScoreChunk(x, model);
        var chunks = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += QueryChunkRows)
            chunks.Add(ScoreChunk(x.narrow(0, start, Math.Min(QueryChunkRows, x.shape[0] - start)), model));
        return torch.cat(chunks, 0);
    }

    private Tensor ScoreChunk(Tensor x, AutoencoderNetwork model)
    {
        var compared = Image?.Smooth(x) ?? x;
        var (input, hidden) = SmoothedDistances(compared, model.HiddenFeatures(compared));
        return Standardize(input, Input).Plus(Standardize(hidden, Hidden));
    }

    // Constants enter as tensors, not as TorchSharp Scalars: an implicitly created Scalar can be finalized by the garbage
    // collector while libtorch still reads it (seen as "Unknown scalar type" under memory pressure with TorchSharp 0.107).
    private static Tensor Constant(float value, Tensor like) => torch.tensor(value, dtype: like.dtype, device: like.device);

    private static Tensor Standardize(Tensor distance, (float Mean, float Deviation) statistics) =>
        (distance - Constant(statistics.Mean, distance)) / Constant(statistics.Deviation, distance);

    /// <summary>Distances of rows already smoothed (<paramref name="x"/>) and their hidden features (<paramref name="h"/>).</summary>
    private (Tensor Input, Tensor Hidden) SmoothedDistances(Tensor x, Tensor h) =>
        (MeanNeighborDistance(x, ReferenceRows, InputCenter, InputWidth, Image is { Shift: > 0 } image ? image : null),
         MeanNeighborDistance(h, ReferenceHidden, HiddenCenter, HiddenWidth, null));

    /// <summary>Mean distance to the nearest stored rows, by the rule in the remarks (the exported graph computes the same).</summary>
    /// <remarks>With <paramref name="shifts"/>, each query is compared at each of its shifted positions and the smallest squared distance to each stored row kept.</remarks>
    private Tensor MeanNeighborDistance(Tensor uncentered, float[] reference, float[] center, int width, ImageComparison? shifts)
    {
        long queries = uncentered.shape[0];
        if (shifts is not null)
            uncentered = shifts.Shifted(uncentered);
        var query = uncentered - torch.tensor(center, [1, width], dtype: uncentered.dtype, device: uncentered.device);
        var r = torch.tensor(reference, [Count, width]);
        var products = query.matmul(r.t());
        var squares = ((query * query).sum([1L], keepdim: true) - products - products).Plus((r * r).sum([1L]).unsqueeze(0));
        if (shifts is not null)
            squares = squares.reshape(queries, shifts.Positions, Count).amin([1L]);
        var nearest = torch.nn.functional.relu(squares).topk(Neighbors + 1, dim: 1, largest: false, sorted: true).values;
        var distances = nearest.sqrt();
        var first = nearest.narrow(1, 0, 1).squeeze(1);
        var self = first.le(Constant(SelfTolerance(width), first));
        var dropped = torch.where(self, distances.narrow(1, 0, 1).squeeze(1), distances.narrow(1, Neighbors, 1).squeeze(1));
        return (distances.sum([1L]) - dropped) / Constant(Neighbors, dropped);
    }
}
