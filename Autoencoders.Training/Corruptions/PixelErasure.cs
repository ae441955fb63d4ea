using System.Globalization;
using Autoencoders.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>Pixel erasure: random pixels, all channels together, set to a value. Created by <see cref="Corruption.PixelErasure"/>.</summary>
internal sealed class PixelErasure : ImageCorruption
{
    public PixelErasure(double probability, double value)
    {
        CheckFraction(probability, nameof(probability));
        CheckMaskValue(value, nameof(value));
        Probability = probability;
        Value = value;
    }

    public double Probability { get; }
    public double Value { get; }

    protected override Tensor ApplyToImages(Tensor images, ImageShape shape, Generator generator)
    {
        using var probability = Probability.ToScalar(); // Scalars explicit and disposed: see Models/LeakyReLU on implicit Scalars
        var erased = torch.rand([images.shape[0], 1, shape.Height, shape.Width], generator: generator, device: images.device) < probability;
        using var value = Value.ToScalar();
        return images.masked_fill(erased, value);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"pixel_erasure(p={Probability}, value={Value})");
}
