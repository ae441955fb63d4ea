using Autoencoders.Training.Models;
using Autoencoders.Training.Onnx;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;

namespace Autoencoders.Training.Scores;

/// <summary>
/// The ONNX translation of <see cref="NeighborScore"/>: each space's stored vectors as one initializer (centred,
/// row-major: read transposed by Gemm for the fast formula, gathered for the exact one), their squared norms plus weighted
/// spreads, the weighted spreads and the member counts, image rows blurred by two depthwise Convs after an edge Pad, shifted query images by an edge Pad and a Slice
/// per position, edge-orientation histograms by a grouped Conv, Relu, AveragePool and Sqrt, candidates by Gemm (the
/// smallest over positions by ReduceMin) and TopK, their exact squared distances by Gather, Sub, Mul and ReduceSum, the
/// members counted by TopK, GatherElements and CumSum, the standardized sum, and the weighted reconstruction term (Mul,
/// ReduceSum of the squared errors).
/// </summary>
internal static class NeighborGraph
{
    /// <summary>
    /// Appends the score of the rows <paramref name="standardized"/> whose hidden features are <paramref name="hidden"/>;
    /// returns its name. Image rows are smoothed first, and <paramref name="appendHidden"/> appends the hidden features of
    /// the smoothed rows (given their name, it returns the features' name). The reconstruction term, when there is one, reads
    /// the rows' squared errors <paramref name="featureErrors"/>.
    /// </summary>
    public static string Append(OnnxGraphBuilder g, NeighborScore score, string standardized, string hidden, string featureErrors,
        Func<string, string> appendHidden)
    {
        string rows = standardized;
        if (score.Image is { Smooths: true } smoothing)
        {
            rows = Smooth(g, standardized, smoothing.Shape, smoothing.Kernel);
            if (score.ComparesHidden)
                hidden = appendHidden(rows);
        }
        var terms = new List<string>();
        foreach (var space in score.Spaces)
        {
            string vectors = space.Name switch
            {
                "input" => rows,
                "hidden" => hidden,
                _ => EdgeHistograms(g, rows, score.Image!),
            };
            terms.Add(Standardize(g, MeanNeighborDistance(g, score, space, vectors), space));
        }
        if (score.Reconstruction is ReconstructionTerm reconstruction)
            terms.Add(Reconstruction(g, reconstruction, featureErrors));
        string total = terms[0];
        for (int i = 1; i < terms.Count; i++)
            total = g.Node("Add", [total, terms[i]], i == terms.Count - 1 ? "neighbor_score" : null);
        return total;
    }

    /// <summary>The weighted, standardized reconstruction term of rows whose squared errors are <paramref name="featureErrors"/>, as <see cref="ReconstructionTerm.Score"/> computes it.</summary>
    private static string Reconstruction(OnnxGraphBuilder g, ReconstructionTerm term, string featureErrors)
    {
        string scaled = g.Node("Mul", [featureErrors, g.Initializer("reconstruction_scales", term.Scales, 1, term.Scales.Length)]);
        string normalized = g.Node("ReduceSum", [scaled, g.Initializer("reconstruction_axes", [1L], 1)], "normalized_reconstruction_error",
            Attribute("keepdims", 0L));
        return g.Node("Mul", [Standardize(g, normalized, "reconstruction", term.Statistics), LayerOnnx.Constant(g, "reconstruction_weight", term.Weight)]);
    }

    /// <summary>Rows [N, features] of images laid out as <paramref name="shape"/>, blurred as <see cref="Corruptions.GaussianBlur.Blur"/> does.</summary>
    private static string Smooth(OnnxGraphBuilder g, string rows, ImageShape shape, float[] kernel)
    {
        long channels = shape.Channels;
        string padded = EdgePaddedImages(g, rows, shape, kernel.Length / 2, "smoothing");
        var weights = Enumerable.Range(0, shape.Channels).SelectMany(_ => kernel).ToArray();
        string horizontal = g.Node("Conv", [padded, g.Initializer("smoothing_horizontal", weights, channels, 1, 1, kernel.Length)], null,
            Attribute("group", channels));
        string blurred = g.Node("Conv", [horizontal, g.Initializer("smoothing_vertical", weights, channels, 1, kernel.Length, 1)], null,
            Attribute("group", channels));
        return g.Node("Reshape", [blurred, RowShape(g, shape)], "smoothed_rows");
    }

    /// <summary>
    /// Rows [N, features] of images laid out as <see cref="ImageComparison.Shape"/>, moved as <see cref="ImageComparison.Shifted"/>
    /// does: [N · positions, features], each row's positions together.
    /// </summary>
    private static string Shifted(OnnxGraphBuilder g, string rows, ImageComparison image)
    {
        var shape = image.Shape;
        long s = image.Shift;
        string padded = EdgePaddedImages(g, rows, shape, s, "shift");
        string axes = g.Initializer("shift_axes", [2L, 3], 2);
        string position = g.Initializer("shift_position_shape", [-1L, 1, shape.Size], 3);
        var positions = new List<string>(image.Positions);
        for (long dy = -s; dy <= s; dy++)
            for (long dx = -s; dx <= s; dx++)
            {
                string starts = g.Initializer($"shift_{positions.Count}_starts", [s + dy, s + dx], 2);
                string ends = g.Initializer($"shift_{positions.Count}_ends", [s + dy + shape.Height, s + dx + shape.Width], 2);
                positions.Add(g.Node("Reshape", [g.Node("Slice", [padded, starts, ends, axes]), position]));
            }
        string all = g.Node("Concat", [.. positions], null, Attribute("axis", 1L));
        return g.Node("Reshape", [all, RowShape(g, shape)], "shifted_rows");
    }

    /// <summary>Rows [N, features] of images laid out as <see cref="ImageComparison.Shape"/>: their edge-orientation histograms, as <see cref="ImageComparison.EdgeHistograms"/> computes them.</summary>
    private static string EdgeHistograms(OnnxGraphBuilder g, string rows, ImageComparison image)
    {
        var shape = image.Shape;
        long channels = shape.Channels;
        string padded = EdgePaddedImages(g, rows, shape, 1, "edges");
        string directional = g.Node("Relu", [g.Node("Conv", [padded, g.Initializer("edges_kernels", image.EdgeKernels(), channels * ImageComparison.Orientations, 1, 3, 3)], null,
            Attribute("group", channels))]);
        var (top, bottom, left, right) = image.CellPadding;
        if (bottom > 0 || right > 0)
            directional = g.Node("Pad", [directional, g.Initializer("edges_cell_pads", [0L, 0, top, left, 0, 0, bottom, right], 8)], null, Attribute("mode", "edge"));
        string cells = g.Node("Sqrt", [g.Node("AveragePool", [directional], null, Attribute("kernel_shape", [(long)image.CellHeight, image.CellWidth]),
            Attribute("strides", [(long)image.CellHeight, image.CellWidth]))]);
        string vectors = g.Node("Reshape", [cells, g.Initializer("edges_shape", [-1L, image.EdgeWidth], 2)]);
        string squares = g.Node("ReduceSum", [g.Node("Mul", [vectors, vectors]), g.Initializer("edges_norm_axes", [1L], 1)], null, Attribute("keepdims", 1L));
        string lengths = g.Node("Sqrt", [g.Node("Add", [squares, LayerOnnx.Constant(g, "edges_norm_epsilon", ImageComparison.EdgeNormEpsilon * image.EdgeWidth)])]);
        return g.Node("Div", [vectors, lengths], "edge_histograms");
    }

    /// <summary>
    /// Rows [N, features] as images [N, channels, height, width] laid out as <paramref name="shape"/>, each border repeated
    /// <paramref name="radius"/> times outward (Pad, mode edge: the replicated edges of the blur, the shifts and the gradients).
    /// </summary>
    private static string EdgePaddedImages(OnnxGraphBuilder g, string rows, ImageShape shape, long radius, string stem)
    {
        string images = g.Node("Reshape", [rows, g.Initializer("compared_image_shape", [-1L, shape.Channels, shape.Height, shape.Width], 4)]);
        return g.Node("Pad", [images, g.Initializer(stem + "_pads", [0L, 0, radius, radius, 0, 0, radius, radius], 8)], null, Attribute("mode", "edge"));
    }

    /// <summary>The shape [-1, features] that flattens images back to rows (one initializer, shared by the blur and the shifts).</summary>
    private static string RowShape(OnnxGraphBuilder g, ImageShape shape) => g.Initializer("compared_row_shape", [-1L, shape.Size], 2);

    private static string Standardize(OnnxGraphBuilder g, string distance, NeighborSpace space) =>
        Standardize(g, distance, space.Name + "_distance", space.Statistics);

    /// <summary>(<paramref name="values"/> − mean) / deviation, the constants named <paramref name="stem"/>_mean and _deviation.</summary>
    private static string Standardize(OnnxGraphBuilder g, string values, string stem, (float Mean, float Deviation) statistics) =>
        g.Node("Div", [g.Node("Sub", [values, LayerOnnx.Constant(g, stem + "_mean", statistics.Mean)]), LayerOnnx.Constant(g, stem + "_deviation", statistics.Deviation)]);

    /// <summary>Mean distance to the nearest training rows as stored in <paramref name="space"/>, by <see cref="NeighborScore"/>'s rule; the same operations in the same order.</summary>
    private static string MeanNeighborDistance(OnnxGraphBuilder g, NeighborScore score, NeighborSpace space, string uncentered)
    {
        string stem = space.Name;
        var reference = space.Reference;
        int width = space.Width, count = space.Count, candidates = score.Candidates;
        var shifts = score.ShiftsIn(space);
        if (shifts is not null)
            uncentered = Shifted(g, uncentered, shifts);
        string query = g.Node("Sub", [uncentered, g.Initializer($"{stem}_reference_center", space.Center, 1, width)]);
        var spreads = space.WeightedSpreads;
        var norms = new float[count];
        for (int i = 0; i < count; i++)
        {
            float norm = 0;
            for (int j = 0; j < width; j++)
            {
                float v = reference[i * width + j];
                norm += v * v;
            }
            norms[i] = norm + spreads[i];
        }
        // Candidates: the fast formula (‖q‖²) − 2 q·c + (‖c‖² + ½ spread) in one Gemm over the one copy of the stored vectors
        // (row-major, read transposed); ‖q‖², the same for every stored vector, only where positions are compared, whose
        // smallest counts. Their order does not matter: the exact distances are ranked below.
        string stored = g.Initializer($"{stem}_reference", reference, count, width);
        string fast = g.Node("Gemm", [query, stored, g.Initializer($"{stem}_reference_norms_and_spreads", norms, 1, count)], null,
            Attribute("alpha", -2f), Attribute("transB", 1L));
        if (shifts is not null)
        {
            string queryNorms = g.Node("ReduceSum", [g.Node("Mul", [query, query]), Axis(g, stem, 1)], null, Attribute("keepdims", 1L));
            fast = g.Node("ReduceMin", [g.Node("Reshape", [g.Node("Add", [fast, queryNorms]), g.Initializer(stem + "_positions_shape", [-1L, shifts.Positions, count], 3)])], null,
                Attribute("axes", [1L]), Attribute("keepdims", 0L));
        }
        string nearest = TopK(g, fast, candidates, stem, sorted: false).Indices;
        // Exact squared distances to the candidates: Σ (q − c)², the smallest over the query's positions, plus the spread.
        string gathered = g.Node("Gather", [stored, nearest], null, Attribute("axis", 0L));
        string squares;
        if (shifts is not null)
        {
            string positioned = g.Node("Reshape", [query, g.Initializer(stem + "_query_positions_shape", [-1L, shifts.Positions, 1, width], 4)]);
            string differences = g.Node("Sub", [positioned, g.Node("Unsqueeze", [gathered, Axis(g, stem, 1)])]);
            squares = g.Node("ReduceMin", [g.Node("ReduceSum", [g.Node("Mul", [differences, differences]), Axis(g, stem, 3)], null, Attribute("keepdims", 0L))],
                null, Attribute("axes", [1L]), Attribute("keepdims", 0L));
        }
        else
        {
            string differences = g.Node("Sub", [g.Node("Unsqueeze", [query, Axis(g, stem, 1)]), gathered]);
            squares = g.Node("ReduceSum", [g.Node("Mul", [differences, differences]), Axis(g, stem, 2)], null, Attribute("keepdims", 0L));
        }
        string withSpreads = g.Node("Add", [squares, g.Node("Gather", [g.Initializer($"{stem}_reference_spreads", spreads, count), nearest], null, Attribute("axis", 0L))]);
        var (values, order) = TopK(g, withSpreads, candidates, stem);
        string members = g.Node("GatherElements", [g.Node("Gather", [g.Initializer($"{stem}_reference_counts", space.Counts, count), nearest], null, Attribute("axis", 0L)), order],
            null, Attribute("axis", 1L));
        if (score.DropsSelf)
        {
            // The nearest stored training row within the tolerance is the row itself (or an exact duplicate): not counted.
            string axes = Axis(g, stem, 1);
            string first = g.Node("Slice", [values, g.Initializer(g.UniqueName(stem + "_start"), [0L], 1), g.Initializer(g.UniqueName(stem + "_end"), [1L], 1), axes]);
            string self = g.Node("LessOrEqual", [first, LayerOnnx.Constant(g, stem + "_self_tolerance", NeighborScore.SelfTolerance(width))]);
            string firstMembers = g.Node("Slice", [members, g.Initializer(g.UniqueName(stem + "_start"), [0L], 1), g.Initializer(g.UniqueName(stem + "_end"), [1L], 1), axes]);
            string rest = g.Node("Slice", [members, g.Initializer(g.UniqueName(stem + "_start"), [1L], 1), g.Initializer(g.UniqueName(stem + "_end"), [(long)candidates], 1), axes]);
            members = g.Node("Concat", [g.Node("Where", [self, LayerOnnx.Constant(g, stem + "_zero", 0f), firstMembers]), rest], null, Attribute("axis", 1L));
        }
        // Each stored vector counted up to its members until k are counted: Σ taken · √square / Σ taken.
        string before = g.Node("Sub", [g.Node("CumSum", [members, g.Initializer(g.UniqueName(stem + "_cumsum_axis"), [1L])]), members]);
        string taken = g.Node("Min", [g.Node("Relu", [g.Node("Sub", [LayerOnnx.Constant(g, stem + "_neighbors", score.Neighbors), before])]), members]);
        string sum = g.Node("ReduceSum", [g.Node("Mul", [taken, g.Node("Sqrt", [values])]), Axis(g, stem, 1)], null, Attribute("keepdims", 0L));
        string total = g.Node("ReduceSum", [taken, Axis(g, stem, 1)], null, Attribute("keepdims", 0L));
        return g.Node("Div", [sum, total], stem + "_neighbor_distance");
    }

    /// <summary>The <paramref name="k"/> smallest values along axis 1 of <paramref name="input"/> (ascending when <paramref name="sorted"/>), and their indices.</summary>
    private static (string Values, string Indices) TopK(OnnxGraphBuilder g, string input, int k, string stem, bool sorted = true)
    {
        string values = g.UniqueName(stem + "_nearest"), indices = g.UniqueName(stem + "_nearest_indices");
        g.MultiOutputNode("TopK", [input, g.Initializer(g.UniqueName(stem + "_k"), [(long)k], 1)], [values, indices],
            Attribute("axis", 1L), Attribute("largest", 0L), Attribute("sorted", sorted ? 1L : 0L));
        return (values, indices);
    }

    /// <summary>An axes initializer [<paramref name="axis"/>] (ReduceSum's, Unsqueeze's, Slice's input).</summary>
    private static string Axis(OnnxGraphBuilder g, string stem, long axis) => g.Initializer(g.UniqueName(stem + "_axis"), [axis], 1);
}
