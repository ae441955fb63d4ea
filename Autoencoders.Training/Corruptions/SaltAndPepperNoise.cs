using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>Salt-and-pepper noise: a random fraction of values set to the feature's minimum or maximum. Created by <see cref="Corruption.SaltAndPepper"/>.</summary>
internal sealed class SaltAndPepperNoise : Corruption
{
    public SaltAndPepperNoise(double fraction)
    {
        CheckFraction(fraction, nameof(fraction));
        Fraction = fraction;
    }

    public double Fraction { get; }

    internal override Tensor Apply(Tensor batch, CorruptionContext context)
    {
        var hit = torch.rand(batch.shape, generator: context.Generator, device: batch.device) < Fraction;
        var salt = torch.rand(batch.shape, generator: context.Generator, device: batch.device) < 0.5;
        var extreme = torch.where(salt, context.FeatureMaximum.expand_as(batch), context.FeatureMinimum.expand_as(batch));
        return torch.where(hit, extreme, batch);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"salt_and_pepper(fraction={Fraction})");
}
