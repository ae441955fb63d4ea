using System.Globalization;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Scores;

/// <summary>
/// The nearest-neighbour score (<see cref="Trainers.ScoreKind.NearestNeighbors"/>): the training rows, summarized as
/// prototypes or stored as they are (<see cref="NeighborReference"/>), seen in two or three spaces — the standardized input
/// (smoothed when they are images), the model's hidden features, and for images their edge-orientation histograms — with
/// the mean and standard deviation of the training rows' own neighbour distances in each; and, weighted, the autoencoder's
/// per-feature-normalized reconstruction error (<see cref="Reconstruction"/>). Its TorchSharp computation is here, its ONNX
/// subgraph in <see cref="NeighborGraph"/>, its settings in <see cref="NeighborScoreOptions"/>.
/// </summary>
/// <remarks>
/// <para>A prototype is a point of the (smoothed, standardized) input space, the mean of a group of training rows
/// (<see cref="PrototypeGroups"/>); every space sees it as it sees a query — the hidden features and edge histograms of
/// that mean — so the model tells no more about a group than its mean, its size and its spread (its members' mean squared
/// distance to it, in each space). A row's distance in a space is the mean over its <see cref="Neighbors"/> nearest
/// training rows, where a stored vector stands for <see cref="NeighborSpace.Counts"/> rows at a squared distance of
/// ‖x − c‖² + <see cref="SpreadWeight"/> × spread (a stored training row has count 1 and spread 0): the stored vectors are
/// taken in order of that distance, each as many times as it has members, until there are k. Candidates are found fast,
/// by ‖x‖² + ‖c‖² + ½ spread − 2 x·c over every stored vector (both centred on the stored vectors' mean, so the norms are
/// the rows' spread rather than their offset from 0), and the <see cref="Candidates"/> nearest are then re-ranked by
/// Σ (x − c)² computed directly: that formula does not cancel for near neighbours, so a row scores the same, to float
/// rounding, alone or in a batch and in TorchSharp or ONNX Runtime, also on data with duplicate rows.</para>
/// <para>With stored training rows, the nearest is not counted when it is within <see cref="SelfTolerance"/> (the row
/// itself, or an exact duplicate), so a stored row is scored leave-one-out. The statistics that standardize each distance
/// are the summarized rows' leave-one-out distances: each row scored with itself taken out of its own group (whose
/// prototype, spread and count are made again without it), or out of the stored rows, so they describe new rows too.</para>
/// <para>Image rows are compared as <see cref="Image"/> says: after a Gaussian blur of each channel (edges replicated, as
/// <see cref="GaussianBlur"/> does), in every space — the hidden features and the edge histograms are those of the smoothed
/// image — and, in the input, at the best of a few shifts: the distance of a query to a stored image is the smallest over
/// the query moved by up to <see cref="ImageComparison.Shift"/> pixels each way (edges replicated).</para>
/// </remarks>
internal sealed class NeighborScore
{
    /// <summary>Squared distance, per feature, below which the nearest stored training row counts as the row itself.</summary>
    public const float SelfTolerancePerFeature = 1e-5f;

    /// <summary>
    /// The weight of a prototype's spread in a query's squared distance to it: ½. With 1 the distance would be the root mean
    /// squared distance to the prototype's members, which overstates the distance to its nearest members; ½ was chosen on the
    /// tabular suite's validation protocol (benchmarks/tabular/research, round 8). Stored training rows have no spread.
    /// </summary>
    public const float SpreadWeight = 0.5f;

    /// <summary>Candidates re-ranked by exact distances beyond the neighbours (and the row itself): 6.</summary>
    public const int CandidateMargin = 6;

    /// <summary>Training rows at most that k-means groups into prototypes (drawn at random when there are more).</summary>
    public const int PrototypeSampleRows = 65_536;

    private NeighborScore(NeighborReference reference, int summarizedRows, int neighbors, NeighborSpace[] spaces, ImageComparison? image,
        ReconstructionTerm? reconstruction, IReadOnlyDictionary<long, float> leaveOneOutScores)
    {
        LeaveOneOutScores = leaveOneOutScores;
        Reference = reference;
        SummarizedRows = summarizedRows;
        Neighbors = neighbors;
        Spaces = spaces;
        Image = image;
        Reconstruction = reconstruction;
    }

    /// <summary>What the stored vectors are: prototypes or training rows.</summary>
    public NeighborReference Reference { get; }

    /// <summary>The training rows the stored vectors summarize (or are).</summary>
    public int SummarizedRows { get; }

    /// <summary>Stored vectors (the same in every space).</summary>
    public int Count => Input.Count;

    /// <summary>Fewest training rows behind one stored vector.</summary>
    public int Members => (int)Input.Counts.Min();

    /// <summary>How many neighbours are averaged.</summary>
    public int Neighbors { get; }

    /// <summary>Stored vectors re-ranked by exact distances per query: <see cref="Neighbors"/> + 1 + <see cref="CandidateMargin"/>, at most all.</summary>
    public int Candidates => Math.Min(Count, Neighbors + 1 + CandidateMargin);

    /// <summary>Whether the nearest stored vector is dropped when it is within <see cref="SelfTolerance"/>: with stored training rows.</summary>
    public bool DropsSelf => Reference == NeighborReference.TrainingRows;

    /// <summary>How image rows are compared (blur, shifts, edge histograms); <see langword="null"/> when rows are compared as they are.</summary>
    public ImageComparison? Image { get; }

    /// <summary>The spaces, in order: input, hidden, and edges when <see cref="Image"/> compares them.</summary>
    public IReadOnlyList<NeighborSpace> Spaces { get; }

    /// <summary>Whether the hidden features are one of the <see cref="Spaces"/>.</summary>
    public bool ComparesHidden => Spaces.Any(s => s.Name == "hidden");

    /// <summary>The stored vectors of the standardized (and smoothed, see <see cref="Image"/>) input; compared at the query's best shift when <see cref="Image"/> shifts.</summary>
    public NeighborSpace Input => Spaces[0];

    /// <summary>The weighted reconstruction-error term; <see langword="null"/> when its weight is 0.</summary>
    public ReconstructionTerm? Reconstruction { get; }

    /// <summary>
    /// With prototypes: the score of each summarized training row (keyed by its index in the training data) computed as if
    /// it were new — left out of its own group, whose prototype, spread and count are made again without it — which the graph cannot
    /// do, as it does not know a row's group (it scores a member against a prototype that includes it, a little low). Empty
    /// with stored training rows, which the graph itself scores leave-one-out.
    /// </summary>
    public IReadOnlyDictionary<long, float> LeaveOneOutScores { get; }

    /// <summary>The tolerance of the self-match rule for vectors of <paramref name="width"/> values (squared, standardized units).</summary>
    public static float SelfTolerance(int width) => SelfTolerancePerFeature * width;

    /// <summary>Whether space <paramref name="space"/> (of <see cref="Spaces"/>) compares the query at its shifts.</summary>
    public ImageComparison? ShiftsIn(NeighborSpace space) => ReferenceEquals(space, Input) && Image is { Shift: > 0 } ? Image : null;

    /// <summary>
    /// Builds the score from standardized training rows (<paramref name="reference"/>: the rows, and their indices in the
    /// training data, or <see langword="null"/> when they are all of it, in order), as <paramref name="options"/> say, the
    /// hidden features <paramref name="model"/>'s. Rows laid out as <paramref name="image"/> are compared smoothed, shifted
    /// and by their edge histograms as the options say. Seeded by <paramref name="seed"/> (which rows are kept when there
    /// are more than the score uses, and the k-means of the prototypes).
    /// </summary>
    internal static NeighborScore Build(AutoencoderNetwork model, (FeatureMatrix Rows, long[]? Indices) reference, NeighborScoreOptions options, int seed, ImageShape? image = null)
    {
        var standardized = reference.Rows;
        double smoothing = image is null ? 0 : options.Smoothing ?? NeighborScoreOptions.Defaults.AutomaticSmoothing(image);
        int shift = image is null ? 0 : options.Shift ?? NeighborScoreOptions.Defaults.AutomaticShift(image);
        var comparison = image is not null && (smoothing > 0 || shift > 0 || options.EdgeHistograms)
            ? new ImageComparison(image, smoothing, shift, options.EdgeHistograms) : null;
        int d = standardized.Columns;
        bool hidden = options.HiddenFeatures ?? NeighborScoreOptions.Defaults.AutomaticHiddenFeatures(image is not null);
        int width = d + (hidden ? model.HiddenWidth : 0) + (comparison is { Edges: true } ? comparison.EdgeWidth : 0);
        int size = options.ReferenceSize > 0 ? options.ReferenceSize : NeighborScoreOptions.Defaults.AutomaticReferenceSize(options.Reference, width, comparison is not null);
        bool prototypes = options.Reference == NeighborReference.Prototypes;
        int count = Math.Min(standardized.Rows, prototypes ? PrototypeSampleRows : size);
        var chosen = Enumerable.Range(0, standardized.Rows).ToArray();
        if (count < standardized.Rows)
        {
            new Random(seed).Shuffle(chosen);
            Array.Sort(chosen, 0, count); // kept in the data's order
        }
        var rows = new float[count * d];
        for (int i = 0; i < count; i++)
            standardized.Row(chosen[i]).CopyTo(rows.AsSpan(i * d, d));
        int k = Math.Max(1, Math.Min(options.Count, count - 1));

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        var x = torch.tensor(rows, [count, d]);
        var errors = options.ReconstructionWeight > 0 ? InChunks(x, chunk => SquaredErrors(chunk, model)) : null;
        var reconstruction = errors is null ? null : ReconstructionTerm.Build(errors, (float)options.ReconstructionWeight);
        if (comparison is { Smooths: true })
            x = comparison.Smooth(x).contiguous();
        var views = Views(x, model, hidden, comparison);
        // A prototype is a point of the (smoothed) input space, the mean of its group; every space sees it as it sees a
        // query — the hidden features and edge histograms of that mean — so it tells no more about its members than the mean.
        var groups = prototypes ? PrototypeGroups.Assign(x, size, options.PrototypeMembers) : Enumerable.Range(0, count).ToArray();
        int stored = groups.Max() + 1;
        if (prototypes)
        {
            // Stored in a seeded random order, not MDAV's (which forms groups from the outside in): ONNX Runtime's TopK keeps
            // a heap of the nearest so far, and distances that fall along the stored order would update it at every step
            // (measured: 4.5 µs a row for 873 prototypes in MDAV order, 1.9 µs in random order).
            var order = Enumerable.Range(0, stored).ToArray();
            new Random(seed).Shuffle(order);
            groups = groups.Select(g => order[g]).ToArray();
        }
        var means = prototypes ? torch.tensor(NeighborSpace.Means(TensorMemory.ToArray(x), groups, stored), [stored, x.shape[1]]) : x;
        var storedViews = prototypes ? Views(means, model, hidden, comparison) : views;
        // Each row's own prototype without it, in the input space, for the leave-one-out statistics (a lone row's: itself, unused).
        var groupIndex = torch.tensor(groups.Select(g => (long)g).ToArray());
        var sizes = torch.tensor(groups.GroupBy(g => g).OrderBy(g => g.Key).Select(g => (float)g.Count()).ToArray()).index_select(0, groupIndex).unsqueeze(1);
        var others = torch.maximum(sizes - Constant(1, sizes), Constant(1, sizes));
        var withoutRow = prototypes ? (means.index_select(0, groupIndex) * sizes - x) / others : x;
        var withoutViews = prototypes ? Views(withoutRow, model, hidden, comparison) : views;
        var spaces = new NeighborSpace[views.Count];
        var scores = new double[count];
        for (int v = 0; v < views.Count; v++)
        {
            var members = TensorMemory.ToArray(views[v].Vectors);
            var space = NeighborSpace.Of(views[v].Name, TensorMemory.ToArray(storedViews[v].Vectors), members, groups);
            var shifts = v == 0 && comparison is { Shift: > 0 } ? comparison : null;
            var distances = LeaveOneOutDistances(views[v].Vectors, space, groups, k, shifts, withoutViews[v].Vectors);
            var statistics = Statistics(distances);
            spaces[v] = space with { Statistics = statistics };
            for (int i = 0; i < count; i++)
                scores[i] += (distances[i] - statistics.Mean) / statistics.Deviation;
        }
        var leaveOneOut = new Dictionary<long, float>();
        if (prototypes)
        {
            var term = reconstruction is null ? null : TensorMemory.ToArray(reconstruction.Score(errors!));
            for (int i = 0; i < count; i++)
                leaveOneOut[reference.Indices?[chosen[i]] ?? chosen[i]] = (float)(scores[i] + (term?[i] ?? 0));
        }
        return new NeighborScore(options.Reference, count, k, spaces, comparison, reconstruction, leaveOneOut);
    }

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
    /// <remarks>Rows are scored a chunk at a time (<see cref="QueryChunkRows"/>), which bounds the candidates' tensors.</remarks>
    internal Tensor Score(Tensor x, AutoencoderNetwork model, Tensor errors)
    {
        var distances = InChunks(x, ScoreChunk, QueryChunkRows(Image));
        return Reconstruction is null ? distances : distances.Plus(Reconstruction.Score(errors));

        Tensor ScoreChunk(Tensor rows)
        {
            var views = Views(Image?.Smooth(rows) ?? rows, model, ComparesHidden, Image);
            Tensor? score = null;
            for (int v = 0; v < Spaces.Count; v++)
            {
                var term = Standardize(MeanNeighborDistance(views[v].Vectors, Spaces[v]), Spaces[v].Statistics);
                score = score is null ? term : score.Plus(term);
            }
            return score!;
        }
    }

    /// <summary>
    /// Query rows per chunk: at most 512, fewer when each row's candidates at each shifted position (positions × candidates
    /// × values) would make a chunk's tensors larger than about 2²⁴ values.
    /// </summary>
    private static int QueryChunkRows(ImageComparison? image) =>
        image is null ? MaxChunkRows : Math.Clamp((1 << 24) / (image.Positions * (1 + 1 + CandidateMargin + 10) * image.Shape.Size), 1, MaxChunkRows);

    private const int MaxChunkRows = 512;

    /// <summary><paramref name="f"/> of rows <paramref name="x"/>, <paramref name="chunkRows"/> at a time, the results concatenated (contiguous).</summary>
    /// <remarks>Each chunk's intermediate tensors (a convolutional model's feature maps) are disposed before the next chunk runs; only its result is kept.</remarks>
    private static Tensor InChunks(Tensor x, Func<Tensor, Tensor> f, int chunkRows = MaxChunkRows)
    {
        if (x.shape[0] <= chunkRows)
            return Kept(() => f(x).contiguous());
        var chunks = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += chunkRows)
        {
            long begin = start;
            chunks.Add(Kept(() => f(x.narrow(0, begin, Math.Min(chunkRows, x.shape[0] - begin)))));
        }
        return torch.cat(chunks, 0);
    }

    /// <summary>The result of <paramref name="f"/>, moved to the caller's dispose scope; every other tensor it made is disposed.</summary>
    private static Tensor Kept(Func<Tensor> f)
    {
        using var scope = torch.NewDisposeScope();
        return f().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Rows <paramref name="compared"/> (standardized, smoothed when they are images) in each space, in order: the rows
    /// themselves (<c>input</c>), their hidden features under <paramref name="model"/> (<c>hidden</c>), and, when
    /// <paramref name="image"/> compares them, their edge-orientation histograms (<c>edges</c>). The last two a chunk of
    /// rows at a time: a convolutional encoder's or the histograms' intermediate maps are many times the rows' size.
    /// </summary>
    private static List<(string Name, Tensor Vectors)> Views(Tensor compared, AutoencoderNetwork model, bool hidden, ImageComparison? image)
    {
        var views = new List<(string, Tensor)> { ("input", compared) };
        if (hidden)
            views.Add(("hidden", InChunks(compared, model.HiddenFeatures)));
        if (image is { Edges: true })
            views.Add(("edges", InChunks(compared, image.EdgeHistograms)));
        return views;
    }

    // Constants enter as tensors, not as TorchSharp Scalars: an implicitly created Scalar can be finalized by the garbage
    // collector while libtorch still reads it (seen as "Unknown scalar type" under memory pressure with TorchSharp 0.107).
    /// <summary><paramref name="value"/> as a 0-d tensor of <paramref name="like"/>'s type and device.</summary>
    internal static Tensor Constant(float value, Tensor like) => torch.tensor(value, dtype: like.dtype, device: like.device);

    /// <summary>(<paramref name="values"/> − mean) / deviation, the stored rows' <paramref name="statistics"/>.</summary>
    internal static Tensor Standardize(Tensor values, (float Mean, float Deviation) statistics) =>
        (values - Constant(statistics.Mean, values)) / Constant(statistics.Deviation, values);

    /// <summary>
    /// Mean distance of <paramref name="uncentered"/> rows to their nearest training rows as stored in <paramref name="space"/>,
    /// by the rule in the remarks: candidates by the fast formula, re-ranked by exact squared differences (the exported graph
    /// computes the same, in the same order).
    /// </summary>
    private Tensor MeanNeighborDistance(Tensor uncentered, NeighborSpace space)
    {
        long queries = uncentered.shape[0];
        int width = space.Width, count = space.Count, candidates = Candidates;
        var shifts = ShiftsIn(space);
        if (shifts is not null)
            uncentered = shifts.Shifted(uncentered);
        var query = uncentered - torch.tensor(space.Center, [1, width], dtype: uncentered.dtype, device: uncentered.device);
        var reference = torch.tensor(space.Reference, [count, width]);
        var spreads = torch.tensor(space.WeightedSpreads);
        // The fast formula, as the graph's Gemm computes it: ‖c‖² + ½ spread − 2 q·c, plus ‖q‖² only where positions compete.
        var products = query.matmul(reference.t());
        var fast = ((reference * reference).sum([1L]).Plus(spreads)).unsqueeze(0) - products - products;
        if (shifts is not null)
            fast = fast.Plus((query * query).sum([1L], keepdim: true)).reshape(queries, shifts.Positions, count).amin([1L]);
        var nearest = fast.topk(candidates, dim: 1, largest: false, sorted: false).indexes;
        var gathered = reference.index_select(0, nearest.flatten()).reshape(queries, candidates, width);
        Tensor squares;
        if (shifts is not null)
        {
            var differences = query.reshape(queries, shifts.Positions, 1, width) - gathered.unsqueeze(1);
            squares = (differences * differences).sum([3L]).amin([1L]);
        }
        else
        {
            var differences = query.unsqueeze(1) - gathered;
            squares = (differences * differences).sum([2L]);
        }
        var (values, order) = squares.Plus(spreads.index_select(0, nearest.flatten()).reshape(queries, candidates)).topk(candidates, dim: 1, largest: false, sorted: true);
        var members = torch.tensor(space.Counts).index_select(0, nearest.flatten()).reshape(queries, candidates).gather(1, order);
        if (DropsSelf)
        {
            var self = values.narrow(1, 0, 1).le(Constant(SelfTolerance(width), values));
            members = torch.cat([torch.where(self, torch.zeros_like(self, members.dtype), members.narrow(1, 0, 1)), members.narrow(1, 1, candidates - 1)], 1);
        }
        return MeanOfNearest(values, members, Neighbors);
    }

    /// <summary>
    /// The mean distance to the <paramref name="neighbors"/> nearest training rows, from squared distances
    /// <paramref name="squares"/> [rows, vectors] sorted ascending and the rows each vector stands for, <paramref name="members"/>:
    /// each vector counted up to its members until <paramref name="neighbors"/> are counted (fewer when fewer are left).
    /// </summary>
    internal static Tensor MeanOfNearest(Tensor squares, Tensor members, int neighbors)
    {
        var before = members.cumsum(1) - members;
        var taken = torch.minimum(torch.nn.functional.relu(Constant(neighbors, members) - before), members);
        return (taken * squares.sqrt()).sum([1L]) / taken.sum([1L]);
    }

    /// <summary>
    /// The leave-one-out distance of each summarized row (<paramref name="vectors"/>, uncentered, in <paramref name="groups"/>):
    /// its distances to every stored vector of <paramref name="space"/>, its own prototype replaced by the one its group
    /// makes without it (<paramref name="withoutRow"/>, this space's view of the other members' mean; its spread is the
    /// other members' mean squared distance to it, its count one less; a stored training row, its own group of one, drops
    /// out), by <see cref="MeanOfNearest"/>.
    /// </summary>
    private static float[] LeaveOneOutDistances(Tensor vectors, NeighborSpace space, int[] groups, int neighbors, ImageComparison? shifts, Tensor withoutRow)
    {
        int n = groups.Length, width = space.Width, count = space.Count;
        var reference = torch.tensor(space.Reference, [count, width]);
        var norms = (reference * reference).sum([1L]);
        var spreads = torch.tensor(space.Spreads);
        var counts = torch.tensor(space.Counts);
        var center = torch.tensor(space.Center, [1, width]);
        var weight = Constant(SpreadWeight, spreads);
        // Each group's sum of its members' vectors and of their squared norms, for the spread without one member.
        var groupIndex = torch.tensor(groups.Select(g => (long)g).ToArray());
        var centred = vectors - center;
        var memberSums = torch.zeros([count, width]).index_add_(0, groupIndex, centred, TorchScalars.One);
        var memberSquares = torch.zeros([count]).index_add_(0, groupIndex, (centred * centred).sum([1L]), TorchScalars.One);
        int positions = shifts?.Positions ?? 1;
        int chunkRows = Math.Clamp((1 << 24) / Math.Max(1, positions * Math.Max(count, width)), 1, MaxChunkRows);
        var distances = new float[n];
        for (int start = 0; start < n; start += chunkRows)
        {
            using var chunkScope = torch.NewDisposeScope();
            int rows = Math.Min(chunkRows, n - start);
            var own = groupIndex.narrow(0, start, rows);
            var query = centred.narrow(0, start, rows);
            var rowsVectors = vectors.narrow(0, start, rows);
            var placed = (shifts is null ? rowsVectors : shifts.Shifted(rowsVectors)) - center;
            var products = placed.matmul(reference.t());
            var squares = torch.nn.functional.relu(((placed * placed).sum([1L], keepdim: true) - products - products).Plus(norms.unsqueeze(0)));
            if (shifts is not null)
                squares = squares.reshape(rows, positions, count).amin([1L]);
            squares = squares.Plus((spreads * weight).unsqueeze(0));
            // The own group without the row: n − 1 members, their prototype withoutRow, their mean squared distance to it.
            var size = counts.index_select(0, own);
            var remaining = torch.maximum(size - Constant(1, size), Constant(1, size));
            var prototype = withoutRow.narrow(0, start, rows) - center;
            var otherSums = memberSums.index_select(0, own) - query;
            var otherSquares = memberSquares.index_select(0, own) - (query * query).sum([1L]);
            var spread = torch.nn.functional.relu((otherSquares - (prototype * otherSums).sum([1L]) * Constant(2, size)
                + (prototype * prototype).sum([1L]) * remaining) / remaining);
            var ownDifferences = placed.reshape(rows, positions, width) - prototype.unsqueeze(1);
            var ownSquares = (ownDifferences * ownDifferences).sum([2L]).amin([1L]).Plus(spread * weight);
            var alone = size.le(Constant(1, size));
            var index = own.unsqueeze(1);
            squares = squares.scatter(1, index, torch.where(alone, torch.zeros_like(ownSquares), ownSquares).unsqueeze(1));
            var members = counts.unsqueeze(0).expand(rows, count).contiguous().scatter(1, index, (size - Constant(1, size)).unsqueeze(1));
            var (sorted, order) = squares.sort(1);
            TensorMemory.ToArray(MeanOfNearest(sorted, members.gather(1, order), neighbors)).CopyTo(distances.AsSpan(start, rows));
        }
        return distances;
    }

    /// <summary>What the Score measures, in words (the graph's <c>autoencoders_ml.score</c> metadata); <paramref name="hidden"/> names the hidden features.</summary>
    internal string Describe(string hidden)
    {
        var c = CultureInfo.InvariantCulture;
        string stored = Reference == NeighborReference.Prototypes
            ? string.Create(c, $"{Count} prototypes (means of at least {Members} of {SummarizedRows} training rows; distance to a prototype: sqrt(squared distance to its mean + {SpreadWeight:R} x its members' mean squared distance to it))")
            : string.Create(c, $"{Count} stored training rows");
        string smoothed = Image is { Smooths: true } blurred ? string.Create(c, $" smoothed by a Gaussian of sigma {blurred.Sigma:R} pixels") : "";
        string shifted = Image is { Shift: > 0 } moved ? string.Create(c, $", the query image at the best of its shifts by up to {moved.Shift} pixels each way") : "";
        string edges = Image is { Edges: true } image
            ? string.Create(c, $" + z(the same between edge-orientation histograms{(image.Smooths ? " of the smoothed image" : "")}: gradient along {ImageComparison.Orientations} directions, positive part, mean per {image.CellHeight}x{image.CellWidth}-pixel cell, square root, unit length)")
            : "";
        string hiddenTerm = ComparesHidden ? $" + z(the same in {hidden}{(Image is { Smooths: true } ? " of the smoothed image" : "")})" : "";
        string reconstruction = Reconstruction is { } term
            ? string.Create(c, $" + {term.Weight:R} z(mean over features of the squared reconstruction error (standardized units) divided by that feature's mean over the training rows, at least 1% of the features' average)")
            : "";
        return string.Create(c, $"nearest_neighbors: z(mean distance to the {Neighbors} nearest of {stored}, standardized input{smoothed}{shifted}){hiddenTerm}{edges}{reconstruction}; z = (value - training mean) / training standard deviation; higher is more anomalous");
    }

    /// <summary>What the score stores of the training data, in words (part of the graph's <c>autoencoders_ml.contents</c> metadata).</summary>
    internal string Contents()
    {
        var c = CultureInfo.InvariantCulture;
        string spaces = string.Join(", ", Spaces.Select(s => s.Name switch
        {
            "input" => Image is { Smooths: true } ? "the standardized, smoothed input" : "the standardized input",
            "hidden" => "the hidden features",
            _ => "the edge-orientation histograms",
        }));
        string term = Reconstruction is null ? "" : "; per feature, the training rows' mean squared reconstruction error";
        return Reference == NeighborReference.Prototypes
            ? string.Create(c, $"{Count} prototypes, each the mean of at least {Members} of the {SummarizedRows} training rows summarized (in {spaces}), with its member count and spread; no training row{term}")
            : string.Create(c, $"{Count} training rows as they are (in {spaces}): the training data can be read back from this file{term}");
    }
}
