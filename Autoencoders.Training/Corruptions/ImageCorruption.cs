using Autoencoders.Training.Models;
using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>A corruption that works on images: rows are reshaped to [rows, channels, height, width] and back.</summary>
internal abstract class ImageCorruption : Corruption
{
    internal sealed override void CheckFits(CorruptionContext context) => CheckShape(context.RequireImage(this));

    internal sealed override Tensor Apply(Tensor batch, CorruptionContext context)
    {
        var shape = context.RequireImage(this);
        var images = batch.reshape(batch.shape[0], shape.Channels, shape.Height, shape.Width);
        return ApplyToImages(images, shape, context.Generator).reshape(batch.shape[0], shape.Size);
    }

    /// <summary>Checks that the corruption fits images of <paramref name="shape"/>.</summary>
    protected virtual void CheckShape(ImageShape shape)
    {
    }

    /// <summary>The corrupted copy of <paramref name="images"/> ([rows, channels, height, width]).</summary>
    protected abstract Tensor ApplyToImages(Tensor images, ImageShape shape, Generator generator);
}
