using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;

namespace Autoencoders.Training.Training;

/// <summary>Settings for <see cref="AutoencoderTrainer"/>. Every default is chosen to work on standardized tabular data without tuning.</summary>
public sealed class TrainerOptions
{
    /// <summary>Layer sizes and activation of a dense autoencoder. Default: automatic sizes, Tanh. Unused when <see cref="Convolutional"/> is set.</summary>
    public DenseArchitecture Architecture { get; set; } = new();

    /// <summary>
    /// A convolutional autoencoder for images instead of the dense one; needs <see cref="ImageShape"/>. Default
    /// <see langword="null"/> (dense).
    /// </summary>
    public ConvolutionalArchitecture? Convolutional { get; set; }

    /// <summary>
    /// How rows are standardized. Default <see cref="Data.Standardization.Automatic"/>: per channel for a convolutional
    /// model (one mean and scale per channel over all pixels, as convolutions expect), per feature for a dense one.
    /// </summary>
    public Standardization Standardization { get; set; }

    /// <summary>
    /// Corruptions applied, in order, to every training minibatch: the model sees the corrupted rows and the loss compares
    /// its output with the clean rows (a denoising autoencoder). Default: none. Never applied when scoring.
    /// </summary>
    public IReadOnlyList<Corruption> Corruptions { get; set; } = [];

    /// <summary>The image layout of the rows (channels × height × width), needed by the image corruptions and by <see cref="Convolutional"/>. Default <see langword="null"/>.</summary>
    public ImageShape? ImageShape { get; set; }

    /// <summary>Weight of an L1 penalty on the latent code (mean absolute activation): a sparse autoencoder. Default 0 (off).</summary>
    public double SparsityL1Weight { get; set; }

    /// <summary>
    /// Weight of the KL-divergence sparsity penalty Σⱼ KL(ρ ‖ ρ̂ⱼ), ρ̂ⱼ being code unit j's mean sigmoid activation over a
    /// minibatch and ρ = <see cref="SparsityTarget"/>. Default 0 (off).
    /// </summary>
    public double SparsityKLWeight { get; set; }

    /// <summary>Target activation rate ρ of the KL sparsity penalty, in (0, 1). Default 0.05.</summary>
    public double SparsityTarget { get; set; } = 0.05;

    /// <summary>
    /// Weight of the contractive penalty: the squared Frobenius norm of the encoder's Jacobian with respect to its
    /// (standardized) input, averaged over rows, computed exactly by automatic differentiation at the cost of one extra
    /// backward pass through the encoder per latent unit per minibatch. Default 0 (off).
    /// </summary>
    public double ContractiveWeight { get; set; }

    /// <summary>
    /// Epochs of greedy layer-wise pretraining per encoder layer before end-to-end training (a stacked denoising
    /// autoencoder, Vincent et al. 2010): each layer is first trained as a one-layer denoising autoencoder on the codes
    /// of the layers below. 0 (default) skips it. Needs a mirrored decoder and no batch normalization.
    /// </summary>
    public int PretrainingEpochs { get; set; }

    /// <summary>
    /// β of a variational autoencoder's objective, reconstruction loss + (2β / features) · KL(q(z|x) ‖ N(0, I)): with the
    /// mean squared error this is the β-VAE negative ELBO (unit-variance Gaussian decoder) divided by features / 2.
    /// Default 1 (the ELBO). Used only with <see cref="DenseArchitecture.Variational"/>.
    /// </summary>
    public double KLWeight { get; set; } = 1.0;

    /// <summary>What a variational autoencoder's exported Score is. Default <see cref="VariationalScore.ReconstructionError"/>.</summary>
    public VariationalScore VariationalScore { get; set; } = VariationalScore.ReconstructionError;

    /// <summary>Passes over the training data. Default 100.</summary>
    public int Epochs { get; set; } = 100;

    /// <summary>Rows per minibatch. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Adam L2 weight decay. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Reconstruction loss. Default <see cref="ReconstructionLoss.MeanSquaredError"/>.</summary>
    public ReconstructionLoss Loss { get; set; } = ReconstructionLoss.MeanSquaredError;

    /// <summary>Threshold between the quadratic and linear parts of the Huber loss, in standardized units. Default 1.</summary>
    public double HuberDelta { get; set; } = 1.0;

    /// <summary>Whether rows are shuffled every epoch. Default <see langword="true"/>.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>
    /// <see langword="null"/> (default): training rows are read into memory once. A number: rows are streamed from the
    /// source every epoch through a shuffle buffer of that many rows, so data larger than memory can be trained on
    /// (a buffer at least as large as the data gives a full shuffle).
    /// </summary>
    public int? ShuffleBufferRows { get; set; }

    /// <summary>Seed for weight initialization, shuffling, the validation split and dropout. Same seed and data give identical weights. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Fraction of rows held out for validation, in [0, 1). With a positive fraction, training stops early when the
    /// validation loss has not improved for <see cref="EarlyStoppingPatience"/> epochs, and the best weights are kept. Default 0.
    /// </summary>
    public double ValidationFraction { get; set; }

    /// <summary>Epochs without validation improvement before stopping; 0 trains all epochs but still keeps the best weights. Default 10.</summary>
    public int EarlyStoppingPatience { get; set; } = 10;

    /// <summary>TorchSharp device: <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c>. Default <c>"cpu"</c>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>When a CUDA device is asked for but unavailable: <see langword="true"/> trains on CPU with a warning, <see langword="false"/> throws. Default <see langword="true"/>.</summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>CPU threads TorchSharp may use; <see langword="null"/> keeps TorchSharp's default (one per core).</summary>
    public int? Threads { get; set; }

    /// <summary>Called after every epoch with its losses.</summary>
    public Action<EpochMetrics>? Progress { get; set; }

    /// <summary>Receives warnings (device fallback, overcomplete latent); <see langword="null"/> drops them.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Checks every setting, naming the first one out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Architecture, nameof(Architecture));
        ArgumentNullException.ThrowIfNull(Corruptions, nameof(Corruptions));
        if (Corruptions.Any(c => c is null))
            throw new ArgumentException("Corruptions contains null.", nameof(Corruptions));
        ImageShape?.Check();
        if (!Enum.IsDefined(Standardization))
            throw new ArgumentOutOfRangeException(nameof(Standardization), Standardization, "Unknown value.");
        if (Standardization == Standardization.PerChannel && ImageShape is null)
            throw new ArgumentException("Per-channel standardization needs ImageShape.", nameof(Standardization));
        if (Convolutional is not null)
        {
            Convolutional.Resolve();
            if (ImageShape is null)
                throw new ArgumentException("A convolutional autoencoder needs ImageShape (channels, height, width of the rows).", nameof(ImageShape));
            if (Architecture.Variational)
                throw new ArgumentException("Variational autoencoders are dense only: leave Convolutional unset or Variational false.", nameof(Convolutional));
            if (PretrainingEpochs > 0)
                throw new ArgumentException("Stacked pretraining (PretrainingEpochs) is for dense autoencoders only.", nameof(PretrainingEpochs));
        }
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        if (!(KLWeight >= 0) || !double.IsFinite(KLWeight))
            throw new ArgumentOutOfRangeException(nameof(KLWeight), KLWeight, "KLWeight must be zero or positive.");
        if (!Enum.IsDefined(VariationalScore))
            throw new ArgumentOutOfRangeException(nameof(VariationalScore), VariationalScore, "Unknown value.");
        if (Architecture.Variational && PretrainingEpochs > 0)
            throw new ArgumentException("Stacked pretraining (PretrainingEpochs) is not available for a variational autoencoder.", nameof(PretrainingEpochs));
        if (PretrainingEpochs < 0)
            throw new ArgumentOutOfRangeException(nameof(PretrainingEpochs), PretrainingEpochs, "PretrainingEpochs cannot be negative.");
        if (PretrainingEpochs > 0 && Architecture.UseBatchNormalization)
            throw new ArgumentException("Stacked pretraining (PretrainingEpochs) does not support batch normalization.", nameof(PretrainingEpochs));
        if (PretrainingEpochs > 0 && Architecture.DecoderHiddenSizes is int[] decoder && Architecture.EncoderHiddenSizes is int[] encoder
            && !decoder.SequenceEqual(encoder.Reverse()))
            throw new ArgumentException("Stacked pretraining (PretrainingEpochs) needs the decoder to mirror the encoder.", nameof(PretrainingEpochs));
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
        if (Threads is < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be at least 1, or null for the default.");
        foreach (var (name, weight) in new[] { (nameof(SparsityL1Weight), SparsityL1Weight), (nameof(SparsityKLWeight), SparsityKLWeight), (nameof(ContractiveWeight), ContractiveWeight) })
            if (!(weight >= 0) || !double.IsFinite(weight))
                throw new ArgumentOutOfRangeException(name, weight, $"{name} must be zero or positive.");
        if (!(SparsityTarget > 0 && SparsityTarget < 1))
            throw new ArgumentOutOfRangeException(nameof(SparsityTarget), SparsityTarget, "SparsityTarget must be in (0, 1).");
        if (!Enum.IsDefined(Loss))
            throw new ArgumentOutOfRangeException(nameof(Loss), Loss, "Unknown loss.");
        TrainingDevice.Parse(Device);
    }
}
