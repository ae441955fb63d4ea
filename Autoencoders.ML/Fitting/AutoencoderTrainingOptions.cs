using Autoencoders.ML.Data;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Scores;
using Autoencoders.Training.Trainers;

namespace Autoencoders.ML.Fitting;

/// <summary>
/// Training settings shared by every autoencoder stage (anomaly detection, denoising), on top of the columns and scoring
/// device of <see cref="AutoencoderScoringOptions"/>. Every default works on typical standardized tabular data.
/// </summary>
public abstract class AutoencoderTrainingOptions : AutoencoderScoringOptions
{
    /// <summary>Encoder hidden layer sizes from the input side; <see langword="null"/> (default): one layer of twice the input size, clamped to [16, 256].</summary>
    public int[]? HiddenLayerSizes { get; set; }

    /// <summary>Decoder hidden layer sizes from the latent side; <see langword="null"/> (default): the encoder's mirrored.</summary>
    public int[]? DecoderHiddenLayerSizes { get; set; }

    /// <summary>Latent code size; 0 (default): a quarter of the input size, clamped to [2, 64].</summary>
    public int LatentSize { get; set; }

    /// <summary>Hidden-layer nonlinearity. Default <see cref="Activation.Tanh"/> (see <see cref="TrainerOptions.Activation"/>).</summary>
    public Activation Activation { get; set; } = AutoencoderDefaults.Activation;

    /// <summary>
    /// A variational autoencoder: Gaussian code (mean and log-variance), reparameterized sampling in training, β-weighted KL
    /// term (<see cref="KLWeight"/>); latent features and reconstructions use the mean. Default <see langword="false"/>.
    /// </summary>
    public bool Variational { get; set; }

    /// <summary>β of a variational autoencoder (see <see cref="TrainerOptions.KLWeight"/>). Default 1.</summary>
    public double KLWeight { get; set; } = AutoencoderDefaults.KLWeight;

    /// <summary>
    /// What the Score column measures (see <see cref="Training.Trainers.ScoreKind"/>). Default
    /// <see cref="ScoreKind.ReconstructionError"/>, except for the anomaly detector, whose default is
    /// <see cref="ScoreKind.NearestNeighbors"/>.
    /// </summary>
    public ScoreKind ScoreKind { get; set; } = AutoencoderDefaults.ScoreKind;

    /// <summary>
    /// The settings of <see cref="ScoreKind.NearestNeighbors"/> (see <see cref="NeighborScoreOptions"/>): neighbours, what the
    /// model stores — prototypes, each the mean of at least three training rows (default), or the training rows themselves —,
    /// how many, and how image rows are compared. Set them in place, e.g. <c>Neighbors = { Count = 10 }</c>. Ignored by the
    /// other score kinds.
    /// </summary>
    public NeighborScoreOptions Neighbors { get; set; } = new();

    /// <summary>What a variational autoencoder's Score measures. Default <see cref="VariationalScore.ReconstructionError"/>.</summary>
    public VariationalScore VariationalScore { get; set; } = AutoencoderDefaults.VariationalScore;

    /// <summary>
    /// A convolutional autoencoder for image rows instead of the dense one (needs <see cref="ImageShape"/>; e.g. the
    /// vectors from <c>LoadImages → ResizeImages → ExtractPixels</c>, or raw pixel vectors): its own channels, kernel,
    /// down/upsampling, code size and activation (see <see cref="ConvolutionalArchitecture"/>); rows are standardized
    /// per channel. The dense settings (<see cref="HiddenLayerSizes"/>, <see cref="DecoderHiddenLayerSizes"/>,
    /// <see cref="LatentSize"/>, <see cref="Activation"/>, <see cref="DropoutRate"/>, <see cref="UseBatchNormalization"/>,
    /// <see cref="Variational"/>, <see cref="PretrainingEpochs"/>) must then stay at their defaults. Default <see langword="null"/> (dense).
    /// </summary>
    public ConvolutionalArchitecture? Convolutional { get; set; }

    /// <summary>
    /// How rows are standardized (see <see cref="Training.Data.Standardization"/>). Default automatic: per channel for
    /// <see cref="Convolutional"/> models and for image rows (<see cref="ImageShape"/>) scored by the nearest-neighbour
    /// score (the anomaly detector's default), per feature otherwise.
    /// </summary>
    public Standardization Standardization { get; set; }

    /// <summary>Dropout after hidden layers during training. Default 0.</summary>
    public double DropoutRate { get; set; }

    /// <summary>Batch normalization after hidden layers. Default <see langword="false"/>.</summary>
    public bool UseBatchNormalization { get; set; }

    /// <summary>
    /// Corruptions applied, in order, to every training minibatch (a denoising autoencoder: the loss compares the output
    /// with the clean rows), e.g. <c>[Corruption.GaussianNoise(0.1)]</c>. Default: none. Never applied when scoring.
    /// </summary>
    public IReadOnlyList<Corruption> Corruptions { get; set; } = [];

    /// <summary>
    /// A residual autoencoder (DnCNN-style): the network computes a correction added to its input, so it starts near the
    /// identity and a denoiser learns the noise to take away (see <see cref="TrainerOptions.Residual"/>). Default
    /// <see langword="false"/>; the image denoiser's default is residual.
    /// </summary>
    public bool Residual { get; set; }

    /// <summary>
    /// The image layout of the feature vectors (channels, height, width — e.g. from ML.NET's ExtractPixels), needed by
    /// <see cref="Convolutional"/> and by the image corruptions (pixel erasure, blur, block and patch masking,
    /// downsampling). Default <see langword="null"/>.
    /// </summary>
    public ImageShape? ImageShape { get; set; }

    /// <summary>
    /// Noise2Noise training: a column holding a second, independently noisy observation of each row, which the model
    /// learns to output instead of the feature column itself (no clean data needed; the mean squared error learns the
    /// mean of the noise, <see cref="ReconstructionLoss.MeanAbsoluteError"/> its median). Read into memory: not with
    /// <see cref="ShuffleBufferRows"/>. Default <see langword="null"/> (reconstruct the feature column).
    /// </summary>
    public string? TargetColumnName { get; set; }

    /// <summary>Weight of an L1 penalty on the latent code: a sparse autoencoder. Default 0 (off).</summary>
    public double SparsityL1Weight { get; set; }

    /// <summary>Weight of the KL-divergence sparsity penalty towards <see cref="SparsityTarget"/> (see <see cref="TrainerOptions.SparsityKLWeight"/>). Default 0 (off).</summary>
    public double SparsityKLWeight { get; set; }

    /// <summary>Target firing rate of the KL sparsity penalty, in (0, 1). Default 0.05.</summary>
    public double SparsityTarget { get; set; } = AutoencoderDefaults.SparsityTarget;

    /// <summary>Weight of the contractive penalty (squared Frobenius norm of the encoder's Jacobian, see <see cref="TrainerOptions.ContractiveWeight"/>). Default 0 (off).</summary>
    public double ContractiveWeight { get; set; }

    /// <summary>
    /// Epochs of greedy layer-wise pretraining per encoder layer before end-to-end training (a stacked denoising
    /// autoencoder; see <see cref="TrainerOptions.PretrainingEpochs"/>). Default 0 (none).
    /// </summary>
    public int PretrainingEpochs { get; set; }

    /// <summary>
    /// Training epochs, or 0 (default) for automatic: 100, fewer for large data so that about a million rows are seen in
    /// all, at least 10 (see <see cref="AutoencoderDefaults.AutomaticEpochs"/>).
    /// </summary>
    public int NumberOfEpochs { get; set; } = AutoencoderDefaults.NumberOfEpochs;

    /// <summary>Minibatch size. Default 32.</summary>
    public int BatchSize { get; set; } = AutoencoderDefaults.BatchSize;

    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = AutoencoderDefaults.LearningRate;

    /// <summary>Adam weight decay. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Reconstruction loss. Default mean squared error.</summary>
    public ReconstructionLoss Loss { get; set; } = AutoencoderDefaults.Loss;

    /// <summary>Threshold between the quadratic and linear parts of the Huber loss, in standardized units. Default 1.</summary>
    public double HuberDelta { get; set; } = AutoencoderDefaults.HuberDelta;

    /// <summary>Whether training rows are shuffled every epoch. Default <see langword="true"/>.</summary>
    public bool Shuffle { get; set; } = AutoencoderDefaults.Shuffle;

    /// <summary>Fraction of rows held out for early stopping; 0 (default) trains on all rows for every epoch.</summary>
    public double ValidationFraction { get; set; }

    /// <summary>Epochs without validation improvement before stopping. Default 10.</summary>
    public int EarlyStoppingPatience { get; set; } = AutoencoderDefaults.EarlyStoppingPatience;

    /// <summary>
    /// <see langword="null"/> (default): the feature column is read into memory once for training. A number: rows are
    /// streamed from the IDataView every epoch through a shuffle buffer of that many rows, for data larger than memory.
    /// </summary>
    public int? ShuffleBufferRows { get; set; }

    /// <summary>Random seed; <see langword="null"/> (default) draws one from the MLContext's seed, like ML.NET's trainers.</summary>
    public int? Seed { get; set; }

    /// <summary>What to do with training rows containing NaN or infinities. Default <see cref="InvalidValueHandling.Throw"/>.</summary>
    public InvalidValueHandling InvalidValueHandling { get; set; } = InvalidValueHandling.Throw;

    /// <summary>TorchSharp training device: <c>"cpu"</c> (default), <c>"cuda"</c> or <c>"cuda:N"</c> (needs a TorchSharp CUDA package).</summary>
    public string TrainingDevice { get; set; } = AutoencoderDefaults.TrainingDevice;

    /// <summary>
    /// CPU threads for training (libtorch's intra-op threads, process-wide). <see langword="null"/> (default): one thread
    /// for a network whose minibatch forward pass is under ten million multiply-adds (the defaults for tables of up to
    /// about 500 features), which loses nothing alone and keeps its pace on a busy machine, otherwise libtorch's default
    /// (one per core). See README, "Training on a busy machine".
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Called after each epoch (besides the per-epoch message on the MLContext's log).</summary>
    public Action<EpochMetrics>? Progress { get; set; }

    /// <summary>
    /// Stops Fit between minibatches with <see cref="OperationCanceledException"/> when cancelled (e.g. a web request's
    /// token); the MLContext's own cancellation is honoured too. Default: none.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <inheritdoc/>
    private protected override void OwnReferences()
    {
        base.OwnReferences();
        HiddenLayerSizes = HiddenLayerSizes?.ToArray();
        DecoderHiddenLayerSizes = DecoderHiddenLayerSizes?.ToArray();
        Corruptions = Corruptions?.ToArray()!;
        Convolutional = Convolutional?.Clone();
        Neighbors = Neighbors is null ? null! : Neighbors with { };
    }

    /// <summary>Fills in what a stage decides from the other settings (e.g. the denoiser's image architecture); called on the stage's own copy, before <see cref="Validate"/>.</summary>
    internal virtual void ResolveStageDefaults()
    {
    }

    /// <summary>Checks every setting, naming the first one out of range: the columns here, every training rule in <see cref="TrainerOptions.Validate"/>.</summary>
    internal override void Validate()
    {
        base.Validate();
        if (TargetColumnName is not null && ShuffleBufferRows is not null)
            throw new ArgumentException("Noise2Noise training (TargetColumnName) reads both columns into memory; leave ShuffleBufferRows unset.", nameof(ShuffleBufferRows));
        if (ScoreFunctionColumnName is not null && Corruption.UnclippedGaussianSigma(Corruptions) is null)
            throw new ArgumentException("The score function (ScoreFunctionColumnName) needs a denoiser trained with unclipped Gaussian noise as its only corruption, e.g. Corruptions = [Corruption.GaussianNoise(0.1)].", nameof(ScoreFunctionColumnName));
        if (!Enum.IsDefined(InvalidValueHandling))
            throw new ArgumentOutOfRangeException(nameof(InvalidValueHandling), InvalidValueHandling, "Unknown value.");
        ToTrainerOptions(seed: 0, log: null, progress: null).Validate();
    }

    /// <summary>The engine's settings: every training setting under the same name (see the mapping test); the seed, log and progress come from the stage.</summary>
    internal TrainerOptions ToTrainerOptions(int seed, Action<string>? log, Action<EpochMetrics>? progress) => new()
    {
        HiddenLayerSizes = HiddenLayerSizes,
        DecoderHiddenLayerSizes = DecoderHiddenLayerSizes,
        LatentSize = LatentSize,
        Activation = Activation,
        DropoutRate = DropoutRate,
        UseBatchNormalization = UseBatchNormalization,
        Variational = Variational,
        KLWeight = KLWeight,
        VariationalScore = VariationalScore,
        ScoreKind = ScoreKind,
        Neighbors = Neighbors is null ? null! : Neighbors with { },
        Convolutional = Convolutional,
        ImageShape = ImageShape,
        Residual = Residual,
        Standardization = Standardization,
        Corruptions = Corruptions,
        SparsityL1Weight = SparsityL1Weight,
        SparsityKLWeight = SparsityKLWeight,
        SparsityTarget = SparsityTarget,
        ContractiveWeight = ContractiveWeight,
        PretrainingEpochs = PretrainingEpochs,
        NumberOfEpochs = NumberOfEpochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        WeightDecay = WeightDecay,
        Loss = Loss,
        HuberDelta = HuberDelta,
        Shuffle = Shuffle,
        ShuffleBufferRows = ShuffleBufferRows,
        ValidationFraction = ValidationFraction,
        EarlyStoppingPatience = EarlyStoppingPatience,
        TrainingDevice = TrainingDevice,
        FallbackToCpu = FallbackToCpu,
        NumberOfThreads = NumberOfThreads,
        Seed = seed,
        Progress = progress,
        Log = log,
    };
}
