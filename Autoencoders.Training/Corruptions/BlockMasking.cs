using System.Globalization;
using Autoencoders.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using Autoencoders.Training.Native;

namespace Autoencoders.Training.Corruptions;

/// <summary>Random square blocks set to a value (blocks may overlap). Created by <see cref="Corruption.BlockMasking"/>.</summary>
internal sealed class BlockMasking : ImageCorruption
{
    public BlockMasking(int count, int size, double value)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1.");
        if (size < 1)
            throw new ArgumentOutOfRangeException(nameof(size), size, "size must be at least 1.");
        CheckMaskValue(value, nameof(value));
        Count = count;
        Size = size;
        Value = value;
    }

    public int Count { get; }
    public int Size { get; }
    public double Value { get; }

    protected override void CheckShape(ImageShape shape)
    {
        if (Size > shape.Height || Size > shape.Width)
            throw new ArgumentOutOfRangeException(nameof(Size), Size, $"Blocks of {Size} pixels do not fit images of {shape}.");
    }

    protected override Tensor ApplyToImages(Tensor images, ImageShape shape, Generator generator)
    {
        long rows = images.shape[0];
        // Every Scalar explicit and disposed after its call: see Models/LeakyReLU on implicit Scalars.
        using var tops = (shape.Height - Size + 1).ToScalar();
        using var lefts = (shape.Width - Size + 1).ToScalar();
        using var height = shape.Height.ToScalar();
        using var width = shape.Width.ToScalar();
        using var size = Size.ToScalar();
        using var value = Value.ToScalar();
        // Top-left corners uniformly over the positions where the whole block fits.
        var top = (torch.rand([rows, Count, 1, 1], generator: generator, device: images.device) * tops).floor();
        var left = (torch.rand([rows, Count, 1, 1], generator: generator, device: images.device) * lefts).floor();
        var y = torch.arange(height, device: images.device, dtype: ScalarType.Float32).reshape(1, 1, shape.Height, 1);
        var x = torch.arange(width, device: images.device, dtype: ScalarType.Float32).reshape(1, 1, 1, shape.Width);
        var inside = (y >= top) & (y < top.Plus(size)) & (x >= left) & (x < left.Plus(size));
        var mask = inside.any(1, keepdim: true); // [rows, 1, H, W]
        return images.masked_fill(mask, value);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"block_masking(count={Count}, size={Size}, value={Value})");
}
