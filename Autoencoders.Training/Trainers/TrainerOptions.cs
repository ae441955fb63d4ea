using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Scores;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// Settings for <see cref="AutoencoderTrainer"/>. The ML.NET stages' options carry the same settings under the same names
/// (ML.NET's naming) and map onto this class; every default comes from <see cref="AutoencoderDefaults"/> and works on
/// standardized tabular data without tuning.
/// </summary>
public sealed class TrainerOptions
{
    /// <summary>
    /// Sizes of a dense autoencoder's encoder hidden layers, from the input side. Default <see langword="null"/>: one
    /// hidden layer of twice the input size, clamped to [16, 256].
    /// </summary>
    public int[]? HiddenLayerSizes { get; set; }

    /// <summary>
    /// Sizes of a dense autoencoder's decoder hidden layers, from the latent side. Default <see langword="null"/>: the
    /// encoder's sizes mirrored.
    /// </summary>
    public int[]? DecoderHiddenLayerSizes { get; set; }

    /// <summary>Size of a dense autoencoder's latent code. Default 0: a quarter of the input size, clamped to [2, 64].</summary>
    public int LatentSize { get; set; }

    /// <summary>
    /// Nonlinearity after each hidden layer of a dense autoencoder. Default <see cref="Activation.Tanh"/>: it saturates, so
    /// rows far outside the training range cannot be reconstructed and score high (on the Wisconsin breast-cancer data it
    /// raised the AUC from about 0.90 with ReLU to 0.94; on one-class digits both were about 0.98). The latent code and the
    /// output are linear.
    /// </summary>
    public Activation Activation { get; set; } = AutoencoderDefaults.Activation;

    /// <summary>Dropout probability after each hidden layer of a dense autoencoder during training, in [0, 1). Default 0 (none).</summary>
    public double DropoutRate { get; set; }

    /// <summary>Batch normalization after each hidden layer of a dense autoencoder. Default <see langword="false"/>.</summary>
    public bool UseBatchNormalization { get; set; }

    /// <summary>
    /// A variational autoencoder (Kingma &amp; Welling 2014): the encoder's last layer gives a Gaussian code, a mean and a
    /// log-variance per latent unit; training decodes a sample drawn by reparameterization and adds the β-weighted KL term
    /// (<see cref="KLWeight"/>); the latent features and the exported reconstruction use the mean. Dense only. Default <see langword="false"/>.
    /// </summary>
    public bool Variational { get; set; }

    /// <summary>
    /// β of a variational autoencoder's objective, reconstruction loss + (2β / features) · KL(q(z|x) ‖ N(0, I)): with the
    /// mean squared error this is the β-VAE negative ELBO (unit-variance Gaussian decoder) divided by features / 2.
    /// Default 1 (the ELBO). Used only with <see cref="Variational"/>.
    /// </summary>
    public double KLWeight { get; set; } = AutoencoderDefaults.KLWeight;

    /// <summary>
    /// What the exported Score measures (see <see cref="Trainers.ScoreKind"/>). Default
    /// <see cref="ScoreKind.ReconstructionError"/>; the anomaly detector's default is <see cref="ScoreKind.NearestNeighbors"/>.
    /// </summary>
    public ScoreKind ScoreKind { get; set; } = AutoencoderDefaults.ScoreKind;

    /// <summary>
    /// The settings of <see cref="ScoreKind.NearestNeighbors"/> (see <see cref="NeighborScoreOptions"/>): neighbours, what is
    /// stored (prototypes by default, or the training rows), how many, and how image rows are compared. Ignored by the other
    /// score kinds. Default: every setting's own default.
    /// </summary>
    public NeighborScoreOptions Neighbors { get; set; } = new();

    /// <summary>What a variational autoencoder's exported Score is. Default <see cref="VariationalScore.ReconstructionError"/>.</summary>
    public VariationalScore VariationalScore { get; set; } = AutoencoderDefaults.VariationalScore;

    /// <summary>
    /// A convolutional autoencoder for images instead of the dense one (rows laid out as <see cref="ImageShape"/>, e.g. the
    /// vectors from ML.NET's <c>LoadImages → ResizeImages → ExtractPixels</c>): its own channels, kernel, down/upsampling,
    /// code size and activation. The dense settings (<see cref="HiddenLayerSizes"/>, <see cref="DecoderHiddenLayerSizes"/>,
    /// <see cref="LatentSize"/>, <see cref="Activation"/>, <see cref="DropoutRate"/>, <see cref="UseBatchNormalization"/>,
    /// <see cref="Variational"/>, <see cref="PretrainingEpochs"/>) must then stay at their defaults. Default <see langword="null"/> (dense).
    /// </summary>
    public ConvolutionalArchitecture? Convolutional { get; set; }

    /// <summary>
    /// A residual autoencoder (DnCNN-style, Zhang et al. 2017): the network computes a correction that is added to its
    /// input (restored = input + correction, in standardized units), so it starts near the identity and a denoiser learns
    /// the noise to take away; it never has to reproduce the whole image through its code. For denoisers (the image
    /// denoiser's default); an anomaly score or a code of such a model says little. Not with <see cref="Variational"/>.
    /// Default <see langword="false"/>.
    /// </summary>
    public bool Residual { get; set; }

    /// <summary>The image layout of the rows (channels × height × width), needed by the image corruptions and by <see cref="Convolutional"/>. Default <see langword="null"/>.</summary>
    public ImageShape? ImageShape { get; set; }

    /// <summary>
    /// How rows are standardized. Default <see cref="Data.Standardization.Automatic"/>: per channel (one mean and scale per
    /// channel over all pixels) for a convolutional model, as convolutions expect, and for image rows scored by
    /// <see cref="ScoreKind.NearestNeighbors"/>, whose distances then weigh every pixel alike; per feature otherwise.
    /// </summary>
    public Standardization Standardization { get; set; }

    /// <summary>
    /// Corruptions applied, in order, to every training minibatch: the model sees the corrupted rows and the loss compares
    /// its output with the clean rows (a denoising autoencoder), e.g. <c>[Corruption.GaussianNoise(0.1)]</c>. Default: none.
    /// Never applied when scoring.
    /// </summary>
    public IReadOnlyList<Corruption> Corruptions { get; set; } = [];

    /// <summary>Weight of an L1 penalty on the latent code (mean absolute activation): a sparse autoencoder. Default 0 (off).</summary>
    public double SparsityL1Weight { get; set; }

    /// <summary>
    /// Weight of the KL-divergence sparsity penalty Σⱼ KL(ρ ‖ ρ̂ⱼ), ρ̂ⱼ being code unit j's mean sigmoid activation over a
    /// minibatch and ρ = <see cref="SparsityTarget"/>. Default 0 (off).
    /// </summary>
    public double SparsityKLWeight { get; set; }

    /// <summary>Target activation rate ρ of the KL sparsity penalty, in (0, 1). Default 0.05.</summary>
    public double SparsityTarget { get; set; } = AutoencoderDefaults.SparsityTarget;

    /// <summary>
    /// Weight of the contractive penalty: the squared Frobenius norm of the encoder's Jacobian with respect to its
    /// (standardized) input, averaged over rows, computed exactly by automatic differentiation at the cost of one extra
    /// backward pass through the encoder per latent unit per minibatch. Default 0 (off).
    /// </summary>
    public double ContractiveWeight { get; set; }

    /// <summary>
    /// Epochs of greedy layer-wise pretraining per encoder layer before end-to-end training (a stacked denoising
    /// autoencoder, Vincent et al. 2010): each layer is first trained as a one-layer denoising autoencoder on the codes
    /// of the layers below. 0 (default) skips it. Dense only; needs a mirrored decoder and no batch normalization.
    /// </summary>
    public int PretrainingEpochs { get; set; }

    /// <summary>
    /// Passes over the training data, or 0 (default) for automatic: 100, fewer for large data so that about a million rows
    /// are seen in all, at least 10 (see <see cref="AutoencoderDefaults.AutomaticEpochs"/>).
    /// </summary>
    public int NumberOfEpochs { get; set; } = AutoencoderDefaults.NumberOfEpochs;

    /// <summary>Rows per minibatch. Default 32.</summary>
    public int BatchSize { get; set; } = AutoencoderDefaults.BatchSize;

    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = AutoencoderDefaults.LearningRate;

    /// <summary>Adam L2 weight decay. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Reconstruction loss. Default <see cref="ReconstructionLoss.MeanSquaredError"/>.</summary>
    public ReconstructionLoss Loss { get; set; } = AutoencoderDefaults.Loss;

    /// <summary>Threshold between the quadratic and linear parts of the Huber loss, in standardized units. Default 1.</summary>
    public double HuberDelta { get; set; } = AutoencoderDefaults.HuberDelta;

    /// <summary>Whether rows are shuffled every epoch. Default <see langword="true"/>.</summary>
    public bool Shuffle { get; set; } = AutoencoderDefaults.Shuffle;

    /// <summary>
    /// <see langword="null"/> (default): training rows are read into memory once. A number: rows are streamed from the
    /// source every epoch through a shuffle buffer of that many rows, so data larger than memory can be trained on
    /// (a buffer at least as large as the data gives a full shuffle).
    /// </summary>
    public int? ShuffleBufferRows { get; set; }

    /// <summary>Seed for weight initialization, shuffling, the validation split, corruption and dropout. Same seed and data give identical weights. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Fraction of rows held out for validation, in [0, 1). With a positive fraction, training stops early when the
    /// validation loss has not improved for <see cref="EarlyStoppingPatience"/> epochs, and the best weights are kept. Default 0.
    /// </summary>
    public double ValidationFraction { get; set; }

    /// <summary>Epochs without validation improvement before stopping; 0 trains all epochs but still keeps the best weights. Default 10.</summary>
    public int EarlyStoppingPatience { get; set; } = AutoencoderDefaults.EarlyStoppingPatience;

    /// <summary>TorchSharp device: <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c> (needs a TorchSharp CUDA package). Default <c>"cpu"</c>.</summary>
    public string TrainingDevice { get; set; } = AutoencoderDefaults.TrainingDevice;

    /// <summary>When a CUDA device is asked for but unavailable: <see langword="true"/> trains on CPU with a warning, <see langword="false"/> throws. Default <see langword="true"/>.</summary>
    public bool FallbackToCpu { get; set; } = AutoencoderDefaults.FallbackToCpu;

    /// <summary>
    /// CPU threads TorchSharp may use (libtorch's intra-op threads, process-wide); <see langword="null"/> (default): one
    /// thread for a network whose minibatch forward pass is under <c>TorchRuntime.OneThreadWork</c> (10 million)
    /// multiply-adds, otherwise libtorch's default (one per core).
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Called after every epoch with its losses, rows and duration.</summary>
    public Action<EpochMetrics>? Progress { get; set; }

    /// <summary>Receives warnings (device fallback, overcomplete latent); <see langword="null"/> drops them.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>A copy whose arrays, list, architecture and neighbour settings are the copy's own, so later changes to this object do not reach it.</summary>
    public TrainerOptions Clone()
    {
        var copy = (TrainerOptions)MemberwiseClone();
        copy.Neighbors = Neighbors is null ? null! : Neighbors with { };
        copy.HiddenLayerSizes = HiddenLayerSizes?.ToArray();
        copy.DecoderHiddenLayerSizes = DecoderHiddenLayerSizes?.ToArray();
        copy.Corruptions = Corruptions?.ToArray()!;
        copy.Convolutional = Convolutional?.Clone();
        return copy;
    }

    /// <summary>Checks every setting, naming the first one out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="ArgumentException">Settings that cannot go together.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Corruptions, nameof(Corruptions));
        if (Corruptions.Any(c => c is null))
            throw new ArgumentException("Corruptions contains null.", nameof(Corruptions));
        ImageShape?.Check();
        CheckDense();
        if (!Enum.IsDefined(Standardization))
            throw new ArgumentOutOfRangeException(nameof(Standardization), Standardization, "Unknown value.");
        if (Standardization == Standardization.PerChannel && ImageShape is null)
            throw new ArgumentException("Per-channel standardization needs ImageShape.", nameof(Standardization));
        if (Convolutional is not null)
        {
            Convolutional.Validate();
            if (ImageShape is null)
                throw new ArgumentException("A convolutional autoencoder needs ImageShape (channels, height, width of the rows).", nameof(ImageShape));
            foreach (var (name, isDefault) in new[]
            {
                (nameof(HiddenLayerSizes), HiddenLayerSizes is null), (nameof(DecoderHiddenLayerSizes), DecoderHiddenLayerSizes is null),
                (nameof(LatentSize), LatentSize == 0), (nameof(Activation), Activation == AutoencoderDefaults.Activation),
                (nameof(DropoutRate), DropoutRate == 0), (nameof(UseBatchNormalization), !UseBatchNormalization),
                (nameof(Variational), !Variational), (nameof(PretrainingEpochs), PretrainingEpochs == 0),
            })
                if (!isDefault)
                    throw new ArgumentException($"{name} is a dense-autoencoder setting; with Convolutional set, use the ConvolutionalArchitecture's settings instead.", name);
        }
        if (NumberOfEpochs < 0)
            throw new ArgumentOutOfRangeException(nameof(NumberOfEpochs), NumberOfEpochs, "NumberOfEpochs must be at least 1, or 0 for automatic.");
        if (!(KLWeight >= 0) || !double.IsFinite(KLWeight))
            throw new ArgumentOutOfRangeException(nameof(KLWeight), KLWeight, "KLWeight must be zero or positive.");
        if (!Enum.IsDefined(VariationalScore))
            throw new ArgumentOutOfRangeException(nameof(VariationalScore), VariationalScore, "Unknown value.");
        if (!Enum.IsDefined(ScoreKind))
            throw new ArgumentOutOfRangeException(nameof(ScoreKind), ScoreKind, "Unknown value.");
        if (Variational && VariationalScore == VariationalScore.NegativeElbo && ScoreKind != ScoreKind.ReconstructionError)
            throw new ArgumentException("VariationalScore.NegativeElbo is a reconstruction score: set ScoreKind = ReconstructionError with it.", nameof(ScoreKind));
        if (Residual && Variational)
            throw new ArgumentException("A variational autoencoder cannot be residual: its reconstruction decodes the code alone.", nameof(Residual));
        if (Neighbors is null)
            throw new ArgumentNullException(nameof(Neighbors), "Neighbors cannot be null: leave it at its default, new NeighborScoreOptions().");
        Neighbors.Validate();
        if (PretrainingEpochs < 0)
            throw new ArgumentOutOfRangeException(nameof(PretrainingEpochs), PretrainingEpochs, "PretrainingEpochs cannot be negative.");
        if (PretrainingEpochs > 0)
        {
            if (Variational)
                throw new ArgumentException("Stacked pretraining (PretrainingEpochs) is not available for a variational autoencoder.", nameof(PretrainingEpochs));
            if (UseBatchNormalization)
                throw new ArgumentException("Stacked pretraining (PretrainingEpochs) does not support batch normalization.", nameof(PretrainingEpochs));
            if (DecoderHiddenLayerSizes is int[] decoder && !decoder.SequenceEqual((HiddenLayerSizes ?? []).Reverse()))
                throw new ArgumentException("Stacked pretraining (PretrainingEpochs) needs the decoder to mirror the encoder.", nameof(PretrainingEpochs));
        }
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a positive finite number.");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must be zero or positive.");
        if (!(HuberDelta > 0) || !double.IsFinite(HuberDelta))
            throw new ArgumentOutOfRangeException(nameof(HuberDelta), HuberDelta, "HuberDelta must be positive.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1).");
        if (EarlyStoppingPatience < 0)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience cannot be negative.");
        if (ShuffleBufferRows is < 1)
            throw new ArgumentOutOfRangeException(nameof(ShuffleBufferRows), ShuffleBufferRows, "ShuffleBufferRows must be at least 1, or null to train in memory.");
        if (NumberOfThreads is < 1)
            throw new ArgumentOutOfRangeException(nameof(NumberOfThreads), NumberOfThreads, "NumberOfThreads must be at least 1, or null for the default.");
        foreach (var (name, weight) in new[] { (nameof(SparsityL1Weight), SparsityL1Weight), (nameof(SparsityKLWeight), SparsityKLWeight), (nameof(ContractiveWeight), ContractiveWeight) })
            if (!(weight >= 0) || !double.IsFinite(weight))
                throw new ArgumentOutOfRangeException(name, weight, $"{name} must be zero or positive.");
        if (!(SparsityTarget > 0 && SparsityTarget < 1))
            throw new ArgumentOutOfRangeException(nameof(SparsityTarget), SparsityTarget, "SparsityTarget must be in (0, 1).");
        if (!Enum.IsDefined(Loss))
            throw new ArgumentOutOfRangeException(nameof(Loss), Loss, "Unknown loss.");
        TorchDevice.Parse(TrainingDevice);
    }

    /// <summary>The dense architecture's own ranges.</summary>
    private void CheckDense()
    {
        if (LatentSize < 0)
            throw new ArgumentOutOfRangeException(nameof(LatentSize), LatentSize, "LatentSize must be positive, or 0 for automatic.");
        if (DropoutRate is < 0 or >= 1 || double.IsNaN(DropoutRate))
            throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "DropoutRate must be in [0, 1).");
        if (!Enum.IsDefined(Activation))
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "Unknown activation.");
        foreach (var (name, sizes) in new[] { (nameof(HiddenLayerSizes), HiddenLayerSizes), (nameof(DecoderHiddenLayerSizes), DecoderHiddenLayerSizes) })
            foreach (int size in sizes ?? [])
                if (size < 1)
                    throw new ArgumentOutOfRangeException(name, size, $"Every entry of {name} must be at least 1.");
    }

    /// <summary>The dense architecture these settings describe for rows of <paramref name="inputSize"/> features.</summary>
    internal DenseArchitecture ResolveDense(int inputSize) => DenseArchitecture.Resolve(inputSize, HiddenLayerSizes, LatentSize,
        DecoderHiddenLayerSizes, Activation, DropoutRate, UseBatchNormalization, Variational);
}
