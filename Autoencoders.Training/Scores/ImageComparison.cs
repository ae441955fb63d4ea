using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Scores;

/// <summary>
/// How <see cref="NeighborScore"/> compares image rows: their layout, the σ in pixels of the Gaussian blur applied before
/// comparing (0: none), the largest shift, in pixels, by which a query image is moved to match each stored image (0: none),
/// and whether their edge-orientation histograms are compared too.
/// </summary>
/// <remarks>
/// The edge-orientation histograms (<see cref="EdgeHistograms"/>) describe an image's shape the way HOG descriptors do:
/// the gradient of the (smoothed) image by central differences, its positive part along each of <see cref="Orientations"/>
/// directions, averaged over the cells of a grid of about <see cref="GridCells"/> × <see cref="GridCells"/> (when the
/// cells overhang the image, by replicating its edges, as evenly as possible on both sides: <see cref="CellPadding"/>),
/// square-rooted, and the whole vector scaled to unit length (<see cref="EdgeNormEpsilon"/>).
/// So two images with the same outlines at different brightness or contrast have the same histograms, and an outline a
/// pixel off lands in the same cell.
/// </remarks>
internal sealed record ImageComparison(ImageShape Shape, double Sigma, int Shift, bool Edges)
{
    /// <summary>Directions of the edge-orientation histograms: 8, every 45°.</summary>
    public const int Orientations = 8;

    /// <summary>Cells along each side of the image for the edge-orientation histograms, about: 7 (4-pixel cells for 28 × 28 images).</summary>
    public const int GridCells = 7;

    /// <summary>
    /// Per value, added to each histogram vector's squared length before it is scaled to unit length (so 10⁻⁴ ×
    /// <see cref="EdgeWidth"/> in all): a blank image gets zeros, not NaN, and a nearly blank one — whose gradients are float
    /// rounding, made larger by the square root — nearly zeros, not rounding scaled up to unit length. Real outlines, whose
    /// values are about 0.1 or more in standardized units, are not affected.
    /// </summary>
    public const float EdgeNormEpsilon = 1e-4f;

    /// <summary>The 1-D blur kernel (<see cref="GaussianBlur.MakeKernel"/>), applied along rows and then columns; empty when <see cref="Sigma"/> is 0.</summary>
    public float[] Kernel { get; } = Sigma > 0 ? GaussianBlur.MakeKernel(Sigma) : [];

    /// <summary>Whether images are blurred before they are compared.</summary>
    public bool Smooths => Sigma > 0;

    /// <summary>Positions tried per query image: (2 <see cref="Shift"/> + 1)², in the order dy = −s..s, then dx = −s..s.</summary>
    public int Positions => (2 * Shift + 1) * (2 * Shift + 1);

    /// <summary>Height of a histogram cell in pixels: ⌈height / <see cref="GridCells"/>⌉.</summary>
    public int CellHeight => (Shape.Height + GridCells - 1) / GridCells;

    /// <summary>Width of a histogram cell in pixels: ⌈width / <see cref="GridCells"/>⌉.</summary>
    public int CellWidth => (Shape.Width + GridCells - 1) / GridCells;

    /// <summary>Rows of histogram cells: ⌈height / <see cref="CellHeight"/>⌉.</summary>
    public int CellRows => (Shape.Height + CellHeight - 1) / CellHeight;

    /// <summary>Columns of histogram cells: ⌈width / <see cref="CellWidth"/>⌉.</summary>
    public int CellColumns => (Shape.Width + CellWidth - 1) / CellWidth;

    /// <summary>
    /// Pixels by which the grid of cells overhangs the image at each side — top, bottom, left, right — where the image's
    /// edges are replicated: the overhang split evenly, the odd pixel at the bottom or right.
    /// </summary>
    public (int Top, int Bottom, int Left, int Right) CellPadding
    {
        get
        {
            int vertical = CellRows * CellHeight - Shape.Height, horizontal = CellColumns * CellWidth - Shape.Width;
            return (vertical / 2, vertical - vertical / 2, horizontal / 2, horizontal - horizontal / 2);
        }
    }

    /// <summary>Values per edge-orientation histogram vector: channels × <see cref="Orientations"/> × cells.</summary>
    public int EdgeWidth => Shape.Channels * Orientations * CellRows * CellColumns;

    /// <summary>
    /// The 3 × 3 kernels [channels × <see cref="Orientations"/>, 1, 3, 3] (row-major) that give the image's gradient, by
    /// central differences, along each direction: cos θ ∂/∂x + sin θ ∂/∂y, θ = 2π o / <see cref="Orientations"/>; the
    /// same <see cref="Orientations"/> kernels for each channel, which a grouped convolution applies to it alone.
    /// </summary>
    public float[] EdgeKernels()
    {
        var kernels = new float[Shape.Channels * Orientations * 9];
        for (int c = 0; c < Shape.Channels; c++)
            for (int o = 0; o < Orientations; o++)
            {
                double angle = 2 * Math.PI * o / Orientations;
                int at = (c * Orientations + o) * 9;
                kernels[at + 3] = (float)(-0.5 * Math.Cos(angle)); // (row 1, column 0)
                kernels[at + 5] = (float)(0.5 * Math.Cos(angle));  // (row 1, column 2)
                kernels[at + 1] = (float)(-0.5 * Math.Sin(angle)); // (row 0, column 1)
                kernels[at + 7] = (float)(0.5 * Math.Sin(angle));  // (row 2, column 1)
            }
        return kernels;
    }

    /// <summary>Rows <paramref name="x"/> [N, features] of images laid out as <see cref="Shape"/>, blurred channel by channel (unchanged when <see cref="Sigma"/> is 0).</summary>
    public Tensor Smooth(Tensor x)
    {
        if (!Smooths)
            return x;
        var images = x.reshape(x.shape[0], Shape.Channels, Shape.Height, Shape.Width);
        return GaussianBlur.Blur(images, Shape.Channels, Kernel).reshape(x.shape[0], Shape.Size);
    }

    /// <summary>
    /// The edge-orientation histograms (see remarks) of rows <paramref name="x"/> [N, features] of images laid out as
    /// <see cref="Shape"/>, already smoothed: [N, <see cref="EdgeWidth"/>], cell-major within each channel's direction.
    /// </summary>
    public Tensor EdgeHistograms(Tensor x)
    {
        long n = x.shape[0];
        var images = nn.functional.pad(x.reshape(n, Shape.Channels, Shape.Height, Shape.Width), [1, 1, 1, 1], PaddingModes.Replicate);
        var kernels = torch.tensor(EdgeKernels(), [Shape.Channels * Orientations, 1, 3, 3], dtype: x.dtype, device: x.device);
        var directional = nn.functional.relu(nn.functional.conv2d(images, kernels, groups: Shape.Channels));
        var (top, bottom, left, right) = CellPadding;
        if (bottom > 0 || right > 0)
            directional = nn.functional.pad(directional, [left, right, top, bottom], PaddingModes.Replicate);
        var cells = nn.functional.avg_pool2d(directional, [CellHeight, CellWidth], [CellHeight, CellWidth]).sqrt().reshape(n, EdgeWidth);
        var lengths = (cells * cells).sum([1L], keepdim: true).Plus(torch.tensor(EdgeNormEpsilon * EdgeWidth, dtype: x.dtype, device: x.device)).sqrt();
        return cells / lengths;
    }

    /// <summary>
    /// Rows <paramref name="x"/> [N, features] moved by every shift of up to <see cref="Shift"/> pixels each way, edges
    /// replicated: [N · <see cref="Positions"/>, features], each row's positions together, in <see cref="Positions"/>' order.
    /// </summary>
    public Tensor Shifted(Tensor x)
    {
        long n = x.shape[0];
        int s = Shift, h = Shape.Height, w = Shape.Width;
        var padded = nn.functional.pad(x.reshape(n, Shape.Channels, h, w), [s, s, s, s], PaddingModes.Replicate);
        var positions = new List<Tensor>(Positions);
        for (int dy = -s; dy <= s; dy++)
            for (int dx = -s; dx <= s; dx++)
                positions.Add(padded.narrow(2, s + dy, h).narrow(3, s + dx, w).reshape(n, 1, Shape.Size));
        return torch.cat(positions, 1).reshape(n * Positions, Shape.Size);
    }
}
