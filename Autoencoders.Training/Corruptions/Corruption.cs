using static TorchSharp.torch;

namespace Autoencoders.Training.Corruptions;

/// <summary>
/// A way of corrupting a training minibatch: a denoising autoencoder sees the corrupted rows and learns to restore the
/// clean ones. Corruption is drawn afresh for every minibatch from a generator seeded by the training seed, acts in the
/// original feature scale (so a Gaussian sigma of 0.1 on pixels in [0, 1] means 0.1 of a pixel), is applied only during
/// training, and several can be chained in order (<see cref="Training.TrainerOptions.Corruptions"/>).
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

    /// <summary>Returns the corrupted copy of <paramref name="batch"/> (rows × features, original scale).</summary>
    internal abstract Tensor Apply(Tensor batch, CorruptionContext context);

    /// <summary>A short description for logs and model metadata, e.g. <c>gaussian(sigma=0.1)</c>.</summary>
    public abstract override string ToString();

    private protected static void CheckFraction(double fraction, string name)
    {
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(name, fraction, "The fraction must be in (0, 1].");
    }
}

/// <summary>What corruptions need besides the batch: the random generator and the training data's per-feature range.</summary>
internal sealed record CorruptionContext(Generator Generator, Tensor FeatureMinimum, Tensor FeatureMaximum);
