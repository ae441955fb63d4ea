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

    public static float[] MakeKernel(double sigma)
    {
        int radius = (int)Math.Ceiling(3 * sigma);
        var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        double sum = weights.Sum();
        return weights.Select(w => (float)(w / sum)).ToArray();
    }

    protected override Tensor ApplyToImages(Tensor images, ImageShape shape, Generator generator)
    {
        int radius = Kernel.Length / 2;
        var kernel = torch.tensor(Kernel, device: images.device);
        var horizontal = kernel.reshape(1, 1, 1, Kernel.Length).expand(shape.Channels, 1, 1, Kernel.Length);
        var vertical = kernel.reshape(1, 1, Kernel.Length, 1).expand(shape.Channels, 1, Kernel.Length, 1);
        var padded = nn.functional.pad(images, [radius, radius, radius, radius], PaddingModes.Replicate);
        var blurred = nn.functional.conv2d(padded, horizontal, groups: shape.Channels);
        return nn.functional.conv2d(blurred, vertical, groups: shape.Channels);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"gaussian_blur(sigma={Sigma})");
}
