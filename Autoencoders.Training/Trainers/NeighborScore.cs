using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// The nearest-neighbour score (<see cref="ScoreKind.NearestNeighbors"/>): stored training rows seen in two or three
/// spaces — the standardized input (smoothed when they are images), the model's hidden features, and for images their
/// edge-orientation histograms — with the mean and standard deviation of the training rows' own neighbour distances in each;
/// and, weighted, the autoencoder's per-feature-normalized reconstruction error (<see cref="Reconstruction"/>).
/// </summary>
/// <remarks>
/// A distance is computed as the graph does, √max(0, ‖x‖² + ‖r‖² − 2 x·r), over the stored rows r; of the
/// <see cref="Neighbors"/> + 1 nearest, the nearest is dropped when it is within <see cref="SelfTolerance"/> (the row
/// itself, or an exact duplicate), otherwise the farthest, and the others are averaged. So a stored row is scored
/// leave-one-out, and the statistics computed from the stored rows describe new rows too. Both the stored rows and the
/// query are first moved by the stored rows' mean (<see cref="NeighborSpace.Center"/>): distances do not change, but the
/// norms in that formula become the rows' spread instead of their offset from 0, so near neighbours are not lost to float
/// rounding (a code whose values all sit near 0.6 but differ by 0.002 kept only two digits). Image rows are compared as
/// <see cref="Image"/> says: after a Gaussian blur of each channel (edges replicated, as <see cref="GaussianBlur"/> does),
/// in every space — the hidden features and the edge histograms are those of the smoothed image — and, in the input, at
/// the best of a few shifts: the distance of a query to a stored image is the smallest over the query moved by up to
/// <see cref="ImageComparison.Shift"/> pixels each way (edges replicated), so an object drawn a pixel further left than
/// every training image has it is not far from all of them.
/// </remarks>
internal sealed class NeighborScore
{
    /// <summary>Squared distance, per feature, below which the nearest stored row counts as the row itself.</summary>
    public const float SelfTolerancePerFeature = 1e-5f;

    private NeighborScore(int count, int neighbors, NeighborSpace input, NeighborSpace hidden, NeighborSpace? edges, ImageComparison? image,
        ReconstructionTerm? reconstruction)
    {
        Reconstruction = reconstruction;
        Count = count;
        Neighbors = neighbors;
        Input = input;
        Hidden = hidden;
        Edges = edges;
        Image = image;
    }

    /// <summary>How image rows are compared (blur, shifts, edge histograms); <see langword="null"/> when rows are compared as they are.</summary>
    public ImageComparison? Image { get; }

    /// <summary>Number of stored rows.</summary>
    public int Count { get; }

    /// <summary>How many neighbours are averaged.</summary>
    public int Neighbors { get; }

    /// <summary>The stored rows standardized (and smoothed, see <see cref="Image"/>); compared at the query's best shift when <see cref="Image"/> shifts.</summary>
    public NeighborSpace Input { get; }

    /// <summary>The stored rows' hidden features (of the smoothed image, for images).</summary>
    public NeighborSpace Hidden { get; }

    /// <summary>The stored images' edge-orientation histograms (<see cref="ImageComparison.EdgeHistograms"/>); <see langword="null"/> unless <see cref="Image"/> compares edges.</summary>
    public NeighborSpace? Edges { get; }

    /// <summary>The weighted reconstruction-error term; <see langword="null"/> when its weight is 0.</summary>
    public ReconstructionTerm? Reconstruction { get; }

    /// <summary>The tolerance of the self-match rule for rows of <paramref name="width"/> values (squared, standardized units).</summary>
    public static float SelfTolerance(int width) => SelfTolerancePerFeature * width;

    /// <summary>
    /// Builds the score from <paramref name="standardized"/> training rows: up to <paramref name="maxRows"/> of them, drawn
    /// with <paramref name="seed"/>, are stored with their hidden features under <paramref name="model"/>. Rows laid out as
    /// <paramref name="image"/> are compared smoothed by a Gaussian of σ <paramref name="smoothingSigma"/> pixels (0: as they are),
    /// in the input at the best of the query's shifts by up to <paramref name="shift"/> pixels (0: in place), and, with
    /// <paramref name="edges"/>, by their edge-orientation histograms too. With a positive <paramref name="reconstructionWeight"/>,
    /// the stored rows' reconstruction errors give each feature's normalizer and the term's statistics.
    /// </summary>
    internal static NeighborScore Build(AutoencoderNetwork model, FeatureMatrix standardized, int neighbors, int maxRows, int seed,
        ImageShape? image = null, double smoothingSigma = 0, int shift = 0, bool edges = false, double reconstructionWeight = 0)
    {
        var comparison = image is not null && (smoothingSigma > 0 || shift > 0 || edges) ? new ImageComparison(image, smoothingSigma, shift, edges) : null;
        int d = standardized.Columns;
        if (maxRows == 0)
            maxRows = AutoencoderDefaults.AutomaticReferenceRows(d + model.HiddenWidth + (comparison is { Edges: true } ? comparison.EdgeWidth : 0));
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
        var reconstruction = reconstructionWeight > 0
            ? ReconstructionTerm.Build(InChunks(x, chunk => SquaredErrors(chunk, model)), (float)reconstructionWeight)
            : null;
        if (comparison is { Smooths: true })
            x = comparison.Smooth(x).contiguous();
        var views = Views(x, model, comparison);
        var unscaled = views.Select(v => NeighborSpace.Centered(v.Name, TensorMemory.ToArray(v.Vectors), count)).ToArray();
        // The stored rows' own distances, a chunk of queries at a time (all at once would be count² values).
        var distances = views.Select(_ => new List<float>(count)).ToArray();
        for (int start = 0; start < count; start += QueryChunkRows)
        {
            using var chunk = torch.NewDisposeScope();
            int rowsInChunk = Math.Min(QueryChunkRows, count - start);
            for (int v = 0; v < views.Count; v++)
                distances[v].AddRange(TensorMemory.ToArray(Distance(v, views[v].Vectors.narrow(0, start, rowsInChunk), unscaled[v], count, k, comparison)));
        }
        var spaces = unscaled.Select((space, v) => space with { Statistics = Statistics(distances[v]) }).ToArray();
        return new NeighborScore(count, k, spaces[0], spaces[1], spaces.Length > 2 ? spaces[2] : null, comparison, reconstruction);
    }

    /// <summary>Query rows per distance computation: bounds the distance matrix to this many × stored rows (× shifted positions).</summary>
    private const int QueryChunkRows = 512;

    /// <summary>The squared reconstruction error of each value of standardized rows <paramref name="x"/> (what the graph's FeatureErrors holds).</summary>
    private static Tensor SquaredErrors(Tensor x, AutoencoderNetwork model)
    {
        var difference = model.Reconstruct(x).Restored - x;
        return difference * difference;
    }

    /// <summary>Mean and standard deviation of <paramref name="values"/> (a deviation of 0 becomes 1, so standardizing never divides by 0).</summary>
    internal static (float Mean, float Deviation) Statistics(IReadOnlyCollection<float> values)
    {
        double mean = values.Average(v => (double)v);
        double deviation = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        return ((float)mean, deviation > 1e-12 ? (float)deviation : 1f);
    }

    /// <summary>
    /// The score of standardized rows <paramref name="x"/>: z(input distance) + z(hidden distance) [+ z(edge-histogram
    /// distance)], the hidden features <paramref name="model"/>'s; image rows are smoothed first, for every space; plus the
    /// weighted <see cref="Reconstruction"/> term of the rows' squared reconstruction <paramref name="errors"/>.
    /// </summary>
    /// <remarks>Rows are scored <see cref="QueryChunkRows"/> at a time, which bounds the distance matrix (× the shifted positions).</remarks>
    internal Tensor Score(Tensor x, AutoencoderNetwork model, Tensor errors)
    {
        var distances = InChunks(x, rows => ScoreChunk(rows, model));
        return Reconstruction is null ? distances : distances.Plus(Reconstruction.Score(errors));
    }

    /// <summary><paramref name="f"/> of rows <paramref name="x"/>, <see cref="QueryChunkRows"/> at a time, the results concatenated (contiguous).</summary>
    /// <remarks>Each chunk's intermediate tensors (a convolutional model's feature maps) are disposed before the next chunk runs; only its result is kept.</remarks>
    private static Tensor InChunks(Tensor x, Func<Tensor, Tensor> f)
    {
        if (x.shape[0] <= QueryChunkRows)
            return Kept(() => f(x).contiguous());
        var chunks = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += QueryChunkRows)
        {
            long begin = start;
            chunks.Add(Kept(() => f(x.narrow(0, begin, Math.Min(QueryChunkRows, x.shape[0] - begin)))));
        }
        return torch.cat(chunks, 0);
    }

    /// <summary>The result of <paramref name="f"/>, moved to the caller's dispose scope; every other tensor it made is disposed.</summary>
    private static Tensor Kept(Func<Tensor> f)
    {
        using var scope = torch.NewDisposeScope();
        return f().MoveToOuterDisposeScope();
    }

    private Tensor ScoreChunk(Tensor x, AutoencoderNetwork model)
    {
        var views = Views(Image?.Smooth(x) ?? x, model, Image);
        NeighborSpace[] spaces = Edges is null ? [Input, Hidden] : [Input, Hidden, Edges];
        var score = Standardize(Distance(0, views[0].Vectors, Input, Count, Neighbors, Image), Input.Statistics);
        for (int v = 1; v < spaces.Length; v++)
            score = score.Plus(Standardize(Distance(v, views[v].Vectors, spaces[v], Count, Neighbors, Image), spaces[v].Statistics));
        return score;
    }

    /// <summary>
    /// Rows <paramref name="compared"/> (standardized, smoothed when they are images) in each space, in order: the rows
    /// themselves (<c>input</c>), their hidden features under <paramref name="model"/> (<c>hidden</c>), and, when
    /// <paramref name="image"/> compares them, their edge-orientation histograms (<c>edges</c>). The last two a chunk of
    /// rows at a time: a convolutional encoder's or the histograms' intermediate maps are many times the rows' size.
    /// </summary>
    private static List<(string Name, Tensor Vectors)> Views(Tensor compared, AutoencoderNetwork model, ImageComparison? image)
    {
        var views = new List<(string, Tensor)> { ("input", compared), ("hidden", InChunks(compared, model.HiddenFeatures)) };
        if (image is { Edges: true })
            views.Add(("edges", InChunks(compared, image.EdgeHistograms)));
        return views;
    }

    /// <summary>The mean neighbour distance in space <paramref name="view"/> of <see cref="Views"/>' order: the input (0) at the query's best shift when <paramref name="image"/> shifts.</summary>
    private static Tensor Distance(int view, Tensor vectors, NeighborSpace space, int count, int neighbors, ImageComparison? image) =>
        MeanNeighborDistance(vectors, space, count, neighbors, view == 0 && image is { Shift: > 0 } ? image : null);

    // Constants enter as tensors, not as TorchSharp Scalars: an implicitly created Scalar can be finalized by the garbage
    // collector while libtorch still reads it (seen as "Unknown scalar type" under memory pressure with TorchSharp 0.107).
    /// <summary><paramref name="value"/> as a 0-d tensor of <paramref name="like"/>'s type and device.</summary>
    internal static Tensor Constant(float value, Tensor like) => torch.tensor(value, dtype: like.dtype, device: like.device);

    /// <summary>(<paramref name="values"/> − mean) / deviation, the stored rows' <paramref name="statistics"/>.</summary>
    internal static Tensor Standardize(Tensor values, (float Mean, float Deviation) statistics) =>
        (values - Constant(statistics.Mean, values)) / Constant(statistics.Deviation, values);

    /// <summary>Mean distance of <paramref name="uncentered"/> to the nearest of the <paramref name="count"/> rows of <paramref name="space"/>, by the rule in the remarks (the exported graph computes the same).</summary>
    /// <remarks>With <paramref name="shifts"/>, each query is compared at each of its shifted positions and the smallest squared distance to each stored row kept.</remarks>
    private static Tensor MeanNeighborDistance(Tensor uncentered, NeighborSpace space, int count, int neighbors, ImageComparison? shifts)
    {
        long queries = uncentered.shape[0];
        int width = space.Width;
        if (shifts is not null)
            uncentered = shifts.Shifted(uncentered);
        var query = uncentered - torch.tensor(space.Center, [1, width], dtype: uncentered.dtype, device: uncentered.device);
        var r = torch.tensor(space.Reference, [count, width]);
        var products = query.matmul(r.t());
        var squares = ((query * query).sum([1L], keepdim: true) - products - products).Plus((r * r).sum([1L]).unsqueeze(0));
        if (shifts is not null)
            squares = squares.reshape(queries, shifts.Positions, count).amin([1L]);
        var nearest = torch.nn.functional.relu(squares).topk(neighbors + 1, dim: 1, largest: false, sorted: true).values;
        var distances = nearest.sqrt();
        var first = nearest.narrow(1, 0, 1).squeeze(1);
        var self = first.le(Constant(SelfTolerance(width), first));
        var dropped = torch.where(self, distances.narrow(1, 0, 1).squeeze(1), distances.narrow(1, neighbors, 1).squeeze(1));
        return (distances.sum([1L]) - dropped) / Constant(neighbors, dropped);
    }
}
