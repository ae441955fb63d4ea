using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;

namespace Autoencoders.Training.Onnx;

/// <summary>
/// The ONNX translation of <see cref="NeighborScore"/>: each space's stored vectors as initializers (centred,
/// transposed, with their squared norms), image rows blurred by two depthwise Convs after an edge Pad, shifted query images
/// by an edge Pad and a Slice per position, edge-orientation histograms by a grouped Conv, Relu, AveragePool and Sqrt,
/// distances by MatMul (the smallest over positions by ReduceMin), TopK of the nearest, the self-match rule, the
/// standardized sum, and the weighted reconstruction term (Mul, ReduceSum of the squared errors).
/// </summary>
internal static class NeighborOnnx
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
            hidden = appendHidden(rows);
        }
        var terms = new List<string>
        {
            Standardize(g, MeanNeighborDistance(g, score, score.Input, rows, score.Image is { Shift: > 0 } shifts ? shifts : null), score.Input),
            Standardize(g, MeanNeighborDistance(g, score, score.Hidden, hidden, null), score.Hidden),
        };
        if (score.Edges is NeighborSpace edges)
            terms.Add(Standardize(g, MeanNeighborDistance(g, score, edges, EdgeHistograms(g, rows, score.Image!), null), edges));
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

    /// <summary>Mean distance to the nearest stored rows, by <see cref="NeighborScore"/>'s rule; the same operations in the same order.</summary>
    private static string MeanNeighborDistance(OnnxGraphBuilder g, NeighborScore score, NeighborSpace space, string uncentered, ImageComparison? shifts)
    {
        string stem = space.Name;
        var reference = space.Reference;
        var center = space.Center;
        int width = space.Width;
        if (shifts is not null)
            uncentered = Shifted(g, uncentered, shifts);
        string query = g.Node("Sub", [uncentered, g.Initializer($"{stem}_reference_center", center, 1, width)]);
        int count = score.Count, k = score.Neighbors;
        var transposed = new float[reference.Length];
        var norms = new float[count];
        for (int i = 0; i < count; i++)
        {
            float norm = 0;
            for (int j = 0; j < width; j++)
            {
                float v = reference[i * width + j];
                transposed[j * count + i] = v;
                norm += v * v;
            }
            norms[i] = norm;
        }
        string rows = g.Initializer($"{stem}_reference_rows_t", transposed, width, count);
        string rowNorms = g.Initializer($"{stem}_reference_norms", norms, 1, count);
        string queryNorms = g.Node("ReduceSum", [g.Node("Mul", [query, query]), g.Initializer(g.UniqueName(stem + "_axes"), [1L], 1)], null, Attribute("keepdims", 1L));
        string products = g.Node("MatMul", [query, rows]);
        string squares = g.Node("Add", [g.Node("Sub", [queryNorms, g.Node("Mul", [products, LayerOnnx.Constant(g, stem + "_two", 2f)])]), rowNorms]);
        if (shifts is not null)
            squares = g.Node("ReduceMin", [g.Node("Reshape", [squares, g.Initializer(stem + "_positions_shape", [-1L, shifts.Positions, count], 3)])], null,
                Attribute("axes", [1L]), Attribute("keepdims", 0L));
        string clamped = g.Node("Max", [squares, LayerOnnx.Constant(g, stem + "_zero", 0f)]);
        string nearest = g.UniqueName(stem + "_nearest"), indices = g.UniqueName(stem + "_nearest_indices");
        g.MultiOutputNode("TopK", [clamped, g.Initializer(g.UniqueName(stem + "_k"), [(long)k + 1], 1)], [nearest, indices],
            Attribute("axis", 1L), Attribute("largest", 0L), Attribute("sorted", 1L));
        string distances = g.Node("Sqrt", [nearest]);
        string axes = g.Initializer(g.UniqueName(stem + "_slice_axes"), [1L], 1);
        string firstSquare = Column(g, nearest, 0, axes, stem), first = Column(g, distances, 0, axes, stem), last = Column(g, distances, k, axes, stem);
        string self = g.Node("LessOrEqual", [firstSquare, LayerOnnx.Constant(g, stem + "_self_tolerance", NeighborScore.SelfTolerance(width))]);
        string dropped = g.Node("Where", [self, first, last]);
        string sum = g.Node("ReduceSum", [distances, g.Initializer(g.UniqueName(stem + "_sum_axes"), [1L], 1)], null, Attribute("keepdims", 0L));
        return g.Node("Div", [g.Node("Sub", [sum, dropped]), LayerOnnx.Constant(g, stem + "_neighbors", k)], stem + "_neighbor_distance");
    }

    /// <summary>Column <paramref name="index"/> of a [rows, k] tensor, as a [rows] tensor.</summary>
    private static string Column(OnnxGraphBuilder g, string tensor, long index, string axes, string stem)
    {
        string slice = g.Node("Slice", [tensor, g.Initializer(g.UniqueName(stem + "_start"), [index], 1), g.Initializer(g.UniqueName(stem + "_end"), [index + 1], 1), axes]);
        return g.Node("Squeeze", [slice, axes]);
    }
}
