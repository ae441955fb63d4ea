using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using Autoencoders.Training.Native;

namespace Autoencoders.Training.Corruptions;

/// <summary>Additive Gaussian noise, optionally clipped. Created by <see cref="Corruption.GaussianNoise"/>.</summary>
internal sealed class GaussianNoise : Corruption
{
    public GaussianNoise(double sigma, double? clipMinimum, double? clipMaximum)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be a positive number.");
        if (clipMinimum is double low && clipMaximum is double high && !(low < high))
            throw new ArgumentOutOfRangeException(nameof(clipMaximum), clipMaximum, "The clip maximum must be above the clip minimum.");
        Sigma = sigma;
        ClipMinimum = clipMinimum;
        ClipMaximum = clipMaximum;
    }

    public double Sigma { get; }
    public double? ClipMinimum { get; }
    public double? ClipMaximum { get; }

    internal override Tensor Apply(Tensor batch, CorruptionContext context)
    {
        // Every Scalar explicit and disposed after its call: see Models/LeakyReLU on implicit Scalars.
        Tensor noisy;
        if (GaussianStream.Supports(batch))
            noisy = context.Normal.AddTo(batch, (float)Sigma);
        else
        {
            using var sigma = Sigma.ToScalar();
            noisy = batch.Plus(torch.randn(batch.shape, generator: context.Generator, device: batch.device) * sigma);
        }
        if (ClipMinimum is null && ClipMaximum is null)
            return noisy;
        using var minimum = ClipMinimum?.ToScalar();
        using var maximum = ClipMaximum?.ToScalar();
        return noisy.clamp(minimum, maximum);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"gaussian(sigma={Sigma}{(ClipMinimum is null ? "" : $", min={ClipMinimum}")}{(ClipMaximum is null ? "" : $", max={ClipMaximum}")})");
}
