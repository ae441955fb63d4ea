using Autoencoders.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>Average pooling by a factor, repeated back to full size. Created by <see cref="Corruption.Downsample"/>.</summary>
internal sealed class Downsampling : ImageCorruption
{
    public Downsampling(int factor)
    {
        if (factor < 2)
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be at least 2.");
        Factor = factor;
    }

    public int Factor { get; }

    protected override void CheckShape(ImageShape shape)
    {
        if (shape.Height % Factor != 0 || shape.Width % Factor != 0)
            throw new ArgumentOutOfRangeException(nameof(Factor), Factor, $"The factor must divide both sides of images of {shape}.");
    }

    protected override Tensor ApplyToImages(Tensor images, ImageShape shape, Generator generator)
    {
        var pooled = nn.functional.avg_pool2d(images, Factor);
        return pooled.repeat_interleave(Factor, 2).repeat_interleave(Factor, 3);
    }

    public override string ToString() => $"downsample(factor={Factor})";
}
