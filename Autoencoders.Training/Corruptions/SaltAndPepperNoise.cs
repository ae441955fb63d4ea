using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>
/// Salt-and-pepper noise: a random fraction of values set to a low or a high value (equally likely) — each feature's
/// training minimum and maximum, or two given values such as 0 and 1 for pixels. Created by <see cref="Corruption.SaltAndPepper(double)"/>.
/// </summary>
internal sealed class SaltAndPepperNoise : Corruption
{
    public SaltAndPepperNoise(double fraction, double? pepper = null, double? salt = null)
    {
        CheckFraction(fraction, nameof(fraction));
        if (pepper is double low)
            CheckMaskValue(low, nameof(pepper));
        if (salt is double high)
            CheckMaskValue(high, nameof(salt));
        Fraction = fraction;
        Pepper = pepper;
        Salt = salt;
    }

    public double Fraction { get; }

    /// <summary>The low value, or null for each feature's training minimum.</summary>
    public double? Pepper { get; }

    /// <summary>The high value, or null for each feature's training maximum.</summary>
    public double? Salt { get; }

    internal override Tensor Apply(Tensor batch, CorruptionContext context)
    {
        var hit = torch.rand(batch.shape, generator: context.Generator, device: batch.device) < Fraction;
        var salted = torch.rand(batch.shape, generator: context.Generator, device: batch.device) < 0.5;
        var high = Salt is double s ? torch.full_like(batch, s) : context.FeatureMaximum.expand_as(batch);
        var low = Pepper is double p ? torch.full_like(batch, p) : context.FeatureMinimum.expand_as(batch);
        return torch.where(hit, torch.where(salted, high, low), batch);
    }

    public override string ToString() => Pepper is null && Salt is null
        ? string.Create(CultureInfo.InvariantCulture, $"salt_and_pepper(fraction={Fraction})")
        : string.Create(CultureInfo.InvariantCulture, $"salt_and_pepper(fraction={Fraction}, pepper={Pepper}, salt={Salt})");
}
