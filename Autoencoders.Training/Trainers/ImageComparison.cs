using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// How <see cref="NeighborScore"/> compares image rows: their layout, the σ in pixels of the Gaussian blur applied before
/// comparing (0: none), and the largest shift, in pixels, by which a query image is moved to match each stored image (0: none).
/// </summary>
internal sealed record ImageComparison(ImageShape Shape, double Sigma, int Shift)
{
    /// <summary>The 1-D blur kernel (<see cref="GaussianBlur.MakeKernel"/>), applied along rows and then columns; empty when <see cref="Sigma"/> is 0.</summary>
    public float[] Kernel { get; } = Sigma > 0 ? GaussianBlur.MakeKernel(Sigma) : [];

    /// <summary>Whether images are blurred before they are compared.</summary>
    public bool Smooths => Sigma > 0;

    /// <summary>Positions tried per query image: (2 <see cref="Shift"/> + 1)², in the order dy = −s..s, then dx = −s..s.</summary>
    public int Positions => (2 * Shift + 1) * (2 * Shift + 1);

    /// <summary>Rows <paramref name="x"/> [N, features] of images laid out as <see cref="Shape"/>, blurred channel by channel (unchanged when <see cref="Sigma"/> is 0).</summary>
    public Tensor Smooth(Tensor x)
    {
        if (!Smooths)
            return x;
        var images = x.reshape(x.shape[0], Shape.Channels, Shape.Height, Shape.Width);
        return GaussianBlur.Blur(images, Shape.Channels, Kernel).reshape(x.shape[0], Shape.Size);
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
