using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>
/// A way of corrupting a training minibatch: a denoising autoencoder sees the corrupted rows and learns to restore the
/// clean ones. Corruption is drawn afresh for every minibatch from a generator seeded by the training seed, acts in the
/// original feature scale (so a Gaussian sigma of 0.1 on pixels in [0, 1] means 0.1 of a pixel), is applied only during
/// training, and several can be chained in order (the trainer's <c>Corruptions</c> setting).
/// </summary>
public abstract class Corruption
{
    private protected Corruption()
    {
    }

    /// <summary>Adds Gaussian noise of standard deviation <paramref name="sigma"/>, optionally clipping the result to [<paramref name="clipMinimum"/>, <paramref name="clipMaximum"/>].</summary>
    /// <exception cref="ArgumentOutOfRangeException">sigma is not positive, or the clip range is empty.</exception>
    public static Corruption GaussianNoise(double sigma, double? clipMinimum = null, double? clipMaximum = null) =>
        new GaussianNoise(sigma, clipMinimum, clipMaximum);

    /// <summary>Sets each value, independently with probability <paramref name="fraction"/>, to <paramref name="value"/> (masking noise).</summary>
    /// <exception cref="ArgumentOutOfRangeException">fraction is outside (0, 1].</exception>
    public static Corruption Masking(double fraction, double value = 0) => new MaskingNoise(fraction, value);

    /// <summary>
    /// Sets each value, independently with probability <paramref name="fraction"/>, to its feature's training minimum
    /// or maximum (equally likely): salt-and-pepper noise.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">fraction is outside (0, 1].</exception>
    public static Corruption SaltAndPepper(double fraction) => new SaltAndPepperNoise(fraction);

    /// <summary>
    /// Sets each value, independently with probability <paramref name="fraction"/>, to <paramref name="pepper"/> or
    /// <paramref name="salt"/> (equally likely): salt-and-pepper noise with explicit values, e.g. 0 and 1 for pixels in [0, 1]
    /// (the per-feature extremes of <see cref="SaltAndPepper(double)"/> leave an always-black border pixel black).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">fraction is outside (0, 1], or a value is not finite.</exception>
    public static Corruption SaltAndPepper(double fraction, double pepper, double salt) => new SaltAndPepperNoise(fraction, pepper, salt);

    /// <summary>Sets each pixel (all its channels), independently with probability <paramref name="probability"/>, to <paramref name="value"/>. Needs an image shape.</summary>
    public static Corruption PixelErasure(double probability, double value = 0) => new PixelErasure(probability, value);

    /// <summary>Blurs each channel with a normalized Gaussian kernel of standard deviation <paramref name="sigma"/> pixels (radius ⌈3σ⌉, edges replicated). Needs an image shape.</summary>
    public static Corruption GaussianBlur(double sigma) => new GaussianBlur(sigma);

    /// <summary>Sets <paramref name="count"/> square blocks of <paramref name="size"/>×<paramref name="size"/> pixels at random positions in each image to <paramref name="value"/>. Needs an image shape.</summary>
    public static Corruption BlockMasking(int count, int size, double value = 0) => new BlockMasking(count, size, value);

    /// <summary>
    /// Masks exactly round(<paramref name="ratio"/> × patches) of the <paramref name="patchSize"/>×<paramref name="patchSize"/>
    /// patches of each image, chosen at random (MAE-style masking), setting them to <paramref name="value"/>. Needs an image shape whose sides the patch size divides.
    /// </summary>
    public static Corruption PatchMasking(double ratio, int patchSize, double value = 0) => new PatchMasking(ratio, patchSize, value);

    /// <summary>
    /// Averages each <paramref name="factor"/>×<paramref name="factor"/> block of pixels and repeats the average over the block:
    /// the image at 1/factor resolution, at full size, so that the autoencoder learns super-resolution. Needs an image shape whose sides the factor divides.
    /// </summary>
    public static Corruption Downsample(int factor) => new Downsampling(factor);

    /// <summary>
    /// σ when <paramref name="corruptions"/> is unclipped Gaussian noise alone (a denoiser trained so estimates the score
    /// function, and its noise commutes with standardization); otherwise <see langword="null"/>.
    /// </summary>
    public static double? UnclippedGaussianSigma(IReadOnlyList<Corruption> corruptions) => UnclippedGaussianAlone(corruptions)?.Sigma;

    /// <summary>The corruption itself when <paramref name="corruptions"/> is unclipped Gaussian noise alone.</summary>
    internal static GaussianNoise? UnclippedGaussianAlone(IReadOnlyList<Corruption> corruptions) =>
        corruptions is [GaussianNoise { ClipMinimum: null, ClipMaximum: null } only] ? only : null;

    /// <summary>
    /// Returns a corrupted copy of <paramref name="data"/> (original scale), drawing from a generator seeded with
    /// <paramref name="seed"/>; salt-and-pepper uses the data's own per-feature range. For making noisy evaluation data.
    /// </summary>
    /// <param name="data">Rows to corrupt; not modified.</param>
    /// <param name="seed">Seed of the random draws.</param>
    /// <param name="image">The rows' image layout, for the image corruptions.</param>
    public FeatureMatrix Apply(FeatureMatrix data, int seed, ImageShape? image = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        image?.Check(data.Columns);
        TorchRuntime.EnsureAvailable();
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator((ulong)(uint)seed);
        var batch = torch.tensor(data.Values, [data.Rows, data.Columns]);
        var context = new CorruptionContext(generator, batch.amin([0L]), batch.amax([0L]), image);
        CheckFits(context);
        return new FeatureMatrix(TensorMemory.ToArray(Apply(batch, context)), data.Rows, data.Columns);
    }

    /// <summary>Checks before training that this corruption can run in <paramref name="context"/> (e.g. that an image shape is declared).</summary>
    internal virtual void CheckFits(CorruptionContext context)
    {
    }

    /// <summary>Returns the corrupted copy of <paramref name="batch"/> (rows × features, original scale).</summary>
    internal abstract Tensor Apply(Tensor batch, CorruptionContext context);

    /// <summary>A short description for logs and model metadata, e.g. <c>gaussian(sigma=0.1)</c>.</summary>
    public abstract override string ToString();

    private protected static void CheckFraction(double fraction, string name)
    {
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(name, fraction, "The fraction must be in (0, 1].");
    }

    /// <summary>Checks the value a masking corruption writes: a NaN or infinity would reach the loss as a silent NaN.</summary>
    private protected static void CheckMaskValue(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, "The mask value must be a finite number.");
    }
}

/// <summary>What corruptions need besides the batch: the random generator and the training data's per-feature range.</summary>
internal sealed record CorruptionContext(Generator Generator, Tensor FeatureMinimum, Tensor FeatureMaximum, ImageShape? Image)
{
    private GaussianStream? _normal;

    /// <summary>Gaussian draws for CPU batches, seeded on first use by one draw from <see cref="Generator"/>.</summary>
    public GaussianStream Normal => _normal ??= new GaussianStream(DrawSeed(Generator));

    private static ulong DrawSeed(Generator generator)
    {
        using var draw = torch.randint(long.MaxValue, [1], ScalarType.Int64, generator: generator);
        return (ulong)draw.item<long>();
    }

    /// <summary>The image shape, or an error naming the corruption that needs one.</summary>
    public ImageShape RequireImage(Corruption corruption) => Image ??
        throw new InvalidOperationException($"The corruption {corruption} works on images: set ImageShape (channels, height, width) on the training options.");
}
