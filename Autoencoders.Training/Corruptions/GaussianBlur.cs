using System.Globalization;
using Autoencoders.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>Separable Gaussian blur with replicated edges. Created by <see cref="Corruption.GaussianBlur"/>.</summary>
internal sealed class GaussianBlur : ImageCorruption
{
    public GaussianBlur(double sigma)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be a positive number of pixels.");
        Sigma = sigma;
        Kernel = MakeKernel(sigma);
    }

    public double Sigma { get; }

    /// <summary>The 1-D kernel: radius ⌈3σ⌉, normalized to sum 1.</summary>
    public float[] Kernel { get; }

    /// <summary>The normalized 1-D Gaussian kernel of <paramref name="sigma"/> pixels, radius ⌈3σ⌉ (the nearest-neighbour score uses it too).</summary>
    public static float[] MakeKernel(double sigma)
    {
        int radius = (int)Math.Ceiling(3 * sigma);
        var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        double sum = weights.Sum();
        return weights.Select(w => (float)(w / sum)).ToArray();
    }

    protected override Tensor ApplyToImages(Tensor images, ImageShape shape, Generator generator) => Blur(images, shape.Channels, Kernel);

    /// <summary>
    /// <paramref name="images"/> [N, channels, H, W] blurred by the separable 1-D <paramref name="kernel"/> (odd length),
    /// each channel alone, edges replicated; the same size comes back. The nearest-neighbour score smooths images with it too.
    /// </summary>
    internal static Tensor Blur(Tensor images, int channels, float[] kernel)
    {
        int radius = kernel.Length / 2;
        var weights = torch.tensor(kernel, dtype: images.dtype, device: images.device);
        var horizontal = weights.reshape(1, 1, 1, kernel.Length).expand(channels, 1, 1, kernel.Length);
        var vertical = weights.reshape(1, 1, kernel.Length, 1).expand(channels, 1, kernel.Length, 1);
        var padded = nn.functional.pad(images, [radius, radius, radius, radius], PaddingModes.Replicate);
        var blurred = nn.functional.conv2d(padded, horizontal, groups: channels);
        return nn.functional.conv2d(blurred, vertical, groups: channels);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"gaussian_blur(sigma={Sigma})");
}
