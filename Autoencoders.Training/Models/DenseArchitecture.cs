using System.Globalization;

namespace Autoencoders.Training.Models;

/// <summary>
/// The resolved shape of a dense (fully connected) autoencoder: input → encoder hidden layers → latent code → decoder
/// hidden layers → input, every automatic size filled in. Built from the trainer's settings by <see cref="Resolve"/>.
/// </summary>
internal sealed record DenseArchitecture(int[] HiddenLayerSizes, int LatentSize, int[] DecoderHiddenLayerSizes, Activation Activation,
    double DropoutRate, bool UseBatchNormalization, bool Variational)
{
    /// <summary>The hidden layer size used when none is given: twice the input size, clamped to [16, 256].</summary>
    public static int AutomaticHiddenSize(int inputSize) => Math.Clamp(2 * inputSize, 16, 256);

    /// <summary>The latent size used when none is given: a quarter of the input size, clamped to [2, 64].</summary>
    public static int AutomaticLatentSize(int inputSize) => Math.Clamp((inputSize + 3) / 4, 2, 64);

    /// <summary>
    /// Fills in the automatic sizes for <paramref name="inputSize"/> features: one hidden layer of
    /// <see cref="AutomaticHiddenSize"/> when <paramref name="hidden"/> is null, a latent of <see cref="AutomaticLatentSize"/>
    /// when <paramref name="latent"/> is 0, a mirrored decoder when <paramref name="decoder"/> is null. The settings have
    /// been checked by the trainer's options.
    /// </summary>
    public static DenseArchitecture Resolve(int inputSize, int[]? hidden, int latent, int[]? decoder, Activation activation,
        double dropoutRate, bool batchNormalization, bool variational)
    {
        if (inputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input must have at least one feature.");
        int[] encoder = hidden?.ToArray() ?? [AutomaticHiddenSize(inputSize)];
        return new DenseArchitecture(encoder, latent > 0 ? latent : AutomaticLatentSize(inputSize),
            decoder?.ToArray() ?? encoder.Reverse().ToArray(), activation, dropoutRate, batchNormalization, variational);
    }

    /// <summary>A compact description such as <c>30-60-8-60-30 Tanh</c>.</summary>
    public string Describe(int inputSize)
    {
        var sizes = new[] { inputSize }.Concat(HiddenLayerSizes).Append(LatentSize).Concat(DecoderHiddenLayerSizes).Append(inputSize);
        string extras = (DropoutRate > 0 ? string.Create(CultureInfo.InvariantCulture, $", dropout {DropoutRate}") : "")
                        + (UseBatchNormalization ? ", batch norm" : "") + (Variational ? ", variational" : "");
        return $"{string.Join("-", sizes)} {Activation}{extras}";
    }
}
