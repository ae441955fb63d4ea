namespace Autoencoders.Training.Models;

/// <summary>
/// Shape of a dense (fully connected) autoencoder: input → encoder hidden layers → latent code → decoder hidden layers → input.
/// The defaults (one hidden layer, Tanh, no dropout) are the ones the anomaly-detection stage uses.
/// </summary>
public sealed class DenseArchitecture
{
    /// <summary>
    /// Sizes of the encoder's hidden layers, from the input side. Default <see langword="null"/>: one hidden layer of
    /// twice the input size, clamped to [16, 256].
    /// </summary>
    public int[]? EncoderHiddenSizes { get; set; }

    /// <summary>Size of the latent code. Default 0: a quarter of the input size, clamped to [2, 64].</summary>
    public int LatentSize { get; set; }

    /// <summary>
    /// Sizes of the decoder's hidden layers, from the latent side. Default <see langword="null"/>: the encoder's sizes mirrored.
    /// </summary>
    public int[]? DecoderHiddenSizes { get; set; }

    /// <summary>
    /// Nonlinearity after each hidden layer. Default <see cref="Activation.Tanh"/>: it saturates, so rows far outside the
    /// training range cannot be reconstructed and score high (on the Wisconsin breast-cancer data it raised the AUC from
    /// about 0.90 with ReLU to 0.94; on one-class digits both were about 0.98). The latent code and the output are linear.
    /// </summary>
    public Activation Activation { get; set; } = Activation.Tanh;

    /// <summary>Dropout probability after each hidden layer during training, in [0, 1). Default 0 (none).</summary>
    public double DropoutRate { get; set; }

    /// <summary>Whether each hidden layer is followed by batch normalization. Default <see langword="false"/>.</summary>
    public bool UseBatchNormalization { get; set; }

    /// <summary>
    /// A variational autoencoder (Kingma &amp; Welling 2014): the encoder's last layer gives a Gaussian code, a mean and a
    /// log-variance per latent unit; training decodes a sample drawn by reparameterization, and the latent features and
    /// the exported reconstruction use the mean. Default <see langword="false"/>.
    /// </summary>
    public bool Variational { get; set; }

    /// <summary>Returns a copy with every automatic size resolved for <paramref name="inputSize"/> features, after checking every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or rate is out of range.</exception>
    public DenseArchitecture Resolve(int inputSize)
    {
        if (inputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input must have at least one feature.");
        if (LatentSize < 0)
            throw new ArgumentOutOfRangeException(nameof(LatentSize), LatentSize, "LatentSize must be positive, or 0 for automatic.");
        if (DropoutRate is < 0 or >= 1 || double.IsNaN(DropoutRate))
            throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "DropoutRate must be in [0, 1).");
        if (!Enum.IsDefined(Activation))
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "Unknown activation.");
        CheckSizes(EncoderHiddenSizes, nameof(EncoderHiddenSizes));
        CheckSizes(DecoderHiddenSizes, nameof(DecoderHiddenSizes));

        int[] encoder = EncoderHiddenSizes?.ToArray() ?? [Math.Clamp(2 * inputSize, 16, 256)];
        return new DenseArchitecture
        {
            EncoderHiddenSizes = encoder,
            LatentSize = LatentSize > 0 ? LatentSize : Math.Clamp((inputSize + 3) / 4, 2, 64),
            DecoderHiddenSizes = DecoderHiddenSizes?.ToArray() ?? encoder.Reverse().ToArray(),
            Activation = Activation,
            DropoutRate = DropoutRate,
            UseBatchNormalization = UseBatchNormalization,
            Variational = Variational,
        };
    }

    /// <summary>A compact description such as <c>30-60-8-60-30 Tanh</c>.</summary>
    public string Describe(int inputSize)
    {
        var sizes = new[] { inputSize }.Concat(EncoderHiddenSizes ?? []).Append(LatentSize).Concat(DecoderHiddenSizes ?? []).Append(inputSize);
        string extras = (DropoutRate > 0 ? $", dropout {DropoutRate}" : "") + (UseBatchNormalization ? ", batch norm" : "") + (Variational ? ", variational" : "");
        return $"{string.Join("-", sizes)} {Activation}{extras}";
    }

    private static void CheckSizes(int[]? sizes, string name)
    {
        if (sizes is null)
            return;
        foreach (int size in sizes)
            if (size < 1)
                throw new ArgumentOutOfRangeException(name, size, $"Every entry of {name} must be at least 1.");
    }
}
