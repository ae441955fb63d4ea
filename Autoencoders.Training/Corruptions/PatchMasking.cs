using System.Globalization;
using Autoencoders.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>MAE-style masking of an exact share of the image's patches. Created by <see cref="Corruption.PatchMasking"/>.</summary>
internal sealed class PatchMasking : ImageCorruption
{
    public PatchMasking(double ratio, int patchSize, double value)
    {
        CheckFraction(ratio, nameof(ratio));
        CheckMaskValue(value, nameof(value));
        if (patchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(patchSize), patchSize, "patchSize must be at least 1.");
        Ratio = ratio;
        PatchSize = patchSize;
        Value = value;
    }

    public double Ratio { get; }
    public int PatchSize { get; }
    public double Value { get; }

    protected override void CheckShape(ImageShape shape)
    {
        if (shape.Height % PatchSize != 0 || shape.Width % PatchSize != 0)
            throw new ArgumentOutOfRangeException(nameof(PatchSize), PatchSize, $"Patches of {PatchSize} pixels must tile images of {shape} exactly.");
    }

    protected override Tensor ApplyToImages(Tensor images, ImageShape shape, Generator generator)
    {
        long rows = images.shape[0];
        int across = shape.Width / PatchSize, down = shape.Height / PatchSize, patches = across * down;
        int masked = (int)Math.Round(Ratio * patches);
        // A random ranking of the patches of every image; the first `masked` of each ranking are masked.
        var ranks = torch.rand([rows, patches], generator: generator, device: images.device).argsort(1).argsort(1);
        using var maskedCount = masked.ToScalar(); // Scalars explicit and disposed: see Models/LeakyReLU on implicit Scalars
        var mask = (ranks < maskedCount).reshape(rows, 1, down, 1, across, 1)
            .expand(rows, 1, down, PatchSize, across, PatchSize).reshape(rows, 1, shape.Height, shape.Width);
        using var value = Value.ToScalar();
        return images.masked_fill(mask, value);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"patch_masking(ratio={Ratio}, patch={PatchSize}, value={Value})");
}
