using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>Masking noise: a random fraction of values set to a constant. Created by <see cref="Corruption.Masking"/>.</summary>
internal sealed class MaskingNoise : Corruption
{
    public MaskingNoise(double fraction, double value)
    {
        CheckFraction(fraction, nameof(fraction));
        CheckMaskValue(value, nameof(value));
        Fraction = fraction;
        Value = value;
    }

    public double Fraction { get; }
    public double Value { get; }

    internal override Tensor Apply(Tensor batch, CorruptionContext context)
    {
        using var fraction = Fraction.ToScalar(); // Scalars explicit and disposed: see Models/LeakyReLU on implicit Scalars
        var masked = torch.rand(batch.shape, generator: context.Generator, device: batch.device) < fraction;
        using var value = Value.ToScalar();
        return batch.masked_fill(masked, value);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"masking(fraction={Fraction}, value={Value})");
}
