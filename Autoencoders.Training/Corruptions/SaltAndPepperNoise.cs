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
        // Every Scalar explicit and disposed after its call: see Models/LeakyReLU on implicit Scalars.
        using var fraction = Fraction.ToScalar();
        using var half = 0.5.ToScalar();
        using var salt = Salt?.ToScalar();
        using var pepper = Pepper?.ToScalar();
        var hit = torch.rand(batch.shape, generator: context.Generator, device: batch.device) < fraction;
        var salted = torch.rand(batch.shape, generator: context.Generator, device: batch.device) < half;
        var high = salt is not null ? torch.full_like(batch, salt) : context.FeatureMaximum.expand_as(batch);
        var low = pepper is not null ? torch.full_like(batch, pepper) : context.FeatureMinimum.expand_as(batch);
        return torch.where(hit, torch.where(salted, high, low), batch);
    }

    public override string ToString() => Pepper is null && Salt is null
        ? string.Create(CultureInfo.InvariantCulture, $"salt_and_pepper(fraction={Fraction})")
        : string.Create(CultureInfo.InvariantCulture, $"salt_and_pepper(fraction={Fraction}, pepper={Pepper}, salt={Salt})");
}
