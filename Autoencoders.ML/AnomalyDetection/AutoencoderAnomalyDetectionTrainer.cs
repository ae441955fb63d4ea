using Autoencoders.ML.Data;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.AnomalyDetection;

/// <summary>
/// Trains an autoencoder on (mostly normal) rows and flags rows it reconstructs badly. Created by
/// <c>mlContext.AnomalyDetection.Trainers.Autoencoder</c>.
/// </summary>
/// <remarks>
/// <para>Fit reads the feature column, standardizes each feature, trains a dense autoencoder in TorchSharp, chooses the
/// threshold, exports one ONNX graph and returns an <see cref="AutoencoderTransformer"/> that scores through ONNX Runtime.</para>
/// <para>Outputs follow ML.NET's anomaly-detection convention: <c>Score</c> (Single, higher is more anomalous: mean squared
/// reconstruction error per feature in standardized space) and <c>PredictedLabel</c> (Boolean), so
/// <c>mlContext.AnomalyDetection.Evaluate</c> works on the output unchanged. Rows with NaN or infinite features score +∞.</para>
/// </remarks>
public sealed class AutoencoderAnomalyDetectionTrainer : IEstimator<AutoencoderTransformer>
{
    /// <summary>Settings of <see cref="AutoencoderAnomalyDetectionTrainer"/>; every default works on typical standardized tabular data.</summary>
    public sealed class Options : AutoencoderScoringOptions
    {
        /// <summary>Encoder hidden layer sizes from the input side; <see langword="null"/> (default): one layer of twice the input size, clamped to [16, 256].</summary>
        public int[]? HiddenLayerSizes { get; set; }

        /// <summary>Latent code size; 0 (default): a quarter of the input size, clamped to [2, 64].</summary>
        public int LatentSize { get; set; }

        /// <summary>Hidden-layer nonlinearity. Default <see cref="Activation.Tanh"/> (see <see cref="DenseArchitecture.Activation"/>).</summary>
        public Activation Activation { get; set; } = Activation.Tanh;

        /// <summary>Dropout after hidden layers during training. Default 0.</summary>
        public double DropoutRate { get; set; }

        /// <summary>Batch normalization after hidden layers. Default <see langword="false"/>.</summary>
        public bool UseBatchNormalization { get; set; }

        /// <summary>
        /// Corruptions applied, in order, to every training minibatch (a denoising autoencoder: the loss compares the output
        /// with the clean rows), e.g. <c>[Corruption.GaussianNoise(0.1)]</c>. Default: none. Never applied when scoring.
        /// </summary>
        public IReadOnlyList<Corruption> Corruptions { get; set; } = [];

        /// <summary>Training epochs. Default 100.</summary>
        public int NumberOfEpochs { get; set; } = 100;

        /// <summary>Minibatch size. Default 32.</summary>
        public int BatchSize { get; set; } = 32;

        /// <summary>Adam learning rate. Default 1e-3.</summary>
        public double LearningRate { get; set; } = 1e-3;

        /// <summary>Adam weight decay. Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>Reconstruction loss. Default mean squared error.</summary>
        public ReconstructionLoss Loss { get; set; } = ReconstructionLoss.MeanSquaredError;

        /// <summary>Fraction of rows held out for early stopping; 0 (default) trains on all rows for every epoch.</summary>
        public double ValidationFraction { get; set; }

        /// <summary>Epochs without validation improvement before stopping. Default 10.</summary>
        public int EarlyStoppingPatience { get; set; } = 10;

        /// <summary>
        /// <see langword="null"/> (default): the feature column is read into memory once for training. A number: rows are
        /// streamed from the IDataView every epoch through a shuffle buffer of that many rows, for data larger than memory.
        /// </summary>
        public int? ShuffleBufferRows { get; set; }

        /// <summary>Random seed; <see langword="null"/> (default) draws one from the MLContext's seed, like ML.NET's trainers.</summary>
        public int? Seed { get; set; }

        /// <summary>
        /// Expected fraction of anomalies in the training data, in (0, 0.5]: the threshold is the score that this fraction of
        /// training rows exceeds (as in PyOD). Default 0.1. Ignored when <see cref="Threshold"/> is set.
        /// </summary>
        public double Contamination { get; set; } = 0.1;

        /// <summary>An explicit score threshold; <see langword="null"/> (default) derives it from <see cref="Contamination"/>.</summary>
        public float? Threshold { get; set; }

        /// <summary>What to do with training rows containing NaN or infinities. Default <see cref="InvalidValueHandling.Throw"/>.</summary>
        public InvalidValueHandling InvalidValueHandling { get; set; } = InvalidValueHandling.Throw;

        /// <summary>TorchSharp training device: <c>"cpu"</c> (default), <c>"cuda"</c> or <c>"cuda:N"</c> (needs a TorchSharp CUDA package).</summary>
        public string TrainingDevice { get; set; } = "cpu";

        /// <summary>CPU threads for training; <see langword="null"/> (default) uses TorchSharp's default.</summary>
        public int? NumberOfThreads { get; set; }

        /// <summary>Called after each epoch.</summary>
        public Action<EpochMetrics>? Progress { get; set; }

        internal new void Validate()
        {
            base.Validate();
            if (!(Contamination > 0 && Contamination <= 0.5))
                throw new ArgumentOutOfRangeException(nameof(Contamination), Contamination, "Contamination must be in (0, 0.5].");
            if (Threshold is float t && !float.IsFinite(t))
                throw new ArgumentOutOfRangeException(nameof(Threshold), t, "Threshold must be a finite number.");
            if (!Enum.IsDefined(InvalidValueHandling))
                throw new ArgumentOutOfRangeException(nameof(InvalidValueHandling), InvalidValueHandling, "Unknown value.");
            ToTrainerOptions(0, null).Validate();
            new DenseArchitecture { EncoderHiddenSizes = HiddenLayerSizes, LatentSize = LatentSize, Activation = Activation, DropoutRate = DropoutRate }.Resolve(1);
        }

        internal TrainerOptions ToTrainerOptions(int seed, Action<string>? log) => new()
        {
            Architecture = new DenseArchitecture
            {
                EncoderHiddenSizes = HiddenLayerSizes,
                LatentSize = LatentSize,
                Activation = Activation,
                DropoutRate = DropoutRate,
                UseBatchNormalization = UseBatchNormalization,
            },
            Corruptions = Corruptions,
            Epochs = NumberOfEpochs,
            BatchSize = BatchSize,
            LearningRate = LearningRate,
            WeightDecay = WeightDecay,
            Loss = Loss,
            ValidationFraction = ValidationFraction,
            EarlyStoppingPatience = EarlyStoppingPatience,
            ShuffleBufferRows = ShuffleBufferRows,
            Seed = seed,
            Device = TrainingDevice,
            FallbackToCpu = FallbackToCpu,
            Threads = NumberOfThreads,
            Progress = Progress,
            Log = log,
        };
    }

    private const string Component = "AutoencoderAnomalyDetection";
    private readonly IHostEnvironment _environment;
    private readonly Options _options;

    internal AutoencoderAnomalyDetectionTrainer(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _options = options;
    }

    /// <summary>Trains on the feature column of <paramref name="input"/> and returns the scoring transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or not a known-size vector of Single.</exception>
    /// <exception cref="InvalidDataException">A training value is NaN or infinite (with <see cref="InvalidValueHandling.Throw"/>).</exception>
    /// <exception cref="InvalidOperationException">The data has no usable rows.</exception>
    public AutoencoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        void Log(string message) => MLNetEnvironment.Warn(_environment, Component, message);
        var source = new DataViewRowSource(input, _options.FeatureColumnName, _options.InvalidValueHandling, Log);
        IRowSource data = _options.ShuffleBufferRows is null ? FeatureMatrix.Read(source) : source;
        int seed = _options.Seed ?? _environment.Register(Component).Rand.Next();

        using var trained = new AutoencoderTrainer(_options.ToTrainerOptions(seed, Log)).Fit(data);
        float threshold = _options.Threshold ?? AnomalyThreshold.FromContamination(trained.Score(data), _options.Contamination);
        var model = trained.ExportOnnx(threshold);
        var summary = new TrainingSummary(trained.History, trained.BestEpoch, trained.StoppedEarly, trained.TrainingRows, trained.Architecture.Describe(data.Columns));
        MLNetEnvironment.Info(_environment, Component,
            $"Trained {summary.Architecture} on {trained.TrainingRows} rows for {trained.History.Count} epochs; threshold {threshold}.");
        return new AutoencoderTransformer(_environment, model, _options.CopyScoring(), summary);
    }

    /// <summary>The schema shape after the stage: Score (Single), PredictedLabel (Boolean) and any optional outputs.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => OutputSchema.Compute(inputSchema, _options, null, null);
}
