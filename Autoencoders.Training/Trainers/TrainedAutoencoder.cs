using Autoencoders.Training.Native;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Scores;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>Outputs of an autoencoder for a batch of rows, as computed by the exported ONNX graph.</summary>
/// <param name="Reconstruction">Reconstructed rows in the original scale (rows × features).</param>
/// <param name="Latent">Latent codes (rows × latent size).</param>
/// <param name="FeatureErrors">Per-feature squared error in standardized space (rows × features).</param>
/// <param name="Scores">The anomaly score of each row (see <see cref="TrainedAutoencoder.ScoreKind"/>): the mean of <paramref name="FeatureErrors"/>, or the nearest-neighbour score.</param>
public sealed record AutoencoderOutputs(FeatureMatrix Reconstruction, FeatureMatrix Latent, FeatureMatrix FeatureErrors, float[] Scores);

/// <summary>A trained autoencoder: the TorchSharp model, its standardization and its training history.</summary>
public sealed class TrainedAutoencoder : IDisposable
{
    internal TrainedAutoencoder(AutoencoderNetwork model, Standardizer standardizer, IReadOnlyList<EpochMetrics> history,
        int bestEpoch, bool stoppedEarly, long trainingRows, TrainerOptions options, bool noise2Noise,
        IReadOnlyList<IReadOnlyList<EpochMetrics>> pretrainingHistory, NeighborScore? neighbors, int epochs, Func<long, bool> isValidationRow)
    {
        _isValidationRow = isValidationRow;
        Neighbors = neighbors;
        PretrainingHistory = pretrainingHistory;
        KLWeight = options.KLWeight;
        VariationalScore = options.VariationalScore;
        TrainingRows = trainingRows;
        Model = model;
        Standardizer = standardizer;
        History = history;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
        Settings = new TrainingSettings(options, noise2Noise, epochs);
        GaussianNoiseSigma = Corruption.UnclippedGaussianSigma(options.Corruptions);
    }

    internal AutoencoderNetwork Model { get; }

    private readonly Func<long, bool> _isValidationRow;

    /// <summary>
    /// Whether training held out the row with this index (0-based, in the order the rows were given) for validation:
    /// its scores then describe rows the model did not fit.
    /// </summary>
    public bool IsValidationRow(long index) => _isValidationRow(index);

    /// <summary>What <see cref="Score(FeatureMatrix)"/> and the exported Score measure.</summary>
    public ScoreKind ScoreKind => Neighbors is null ? ScoreKind.ReconstructionError : ScoreKind.NearestNeighbors;

    /// <summary>The stored vectors and statistics of the nearest-neighbour score; <see langword="null"/> for the reconstruction error.</summary>
    internal NeighborScore? Neighbors { get; }

    /// <summary>
    /// Scores of training rows computed as if each row were new, where the exported graph cannot compute them so: with the
    /// nearest-neighbour score over prototypes (<see cref="Scores.NeighborReference.Prototypes"/>), each summarized row left
    /// out of its own prototype. Keyed by the row's index in the training data (0-based, in the order the rows were given).
    /// Empty otherwise: the graph's own scores of the training rows are then already what a new row would get (the
    /// reconstruction error; stored training rows are scored leave-one-out by the graph). A threshold or score distribution
    /// taken from the training rows' scores should use these where they exist.
    /// </summary>
    public IReadOnlyDictionary<long, float> LeaveOneOutScores => Neighbors?.LeaveOneOutScores ?? NoScores;

    private static readonly IReadOnlyDictionary<long, float> NoScores = new Dictionary<long, float>();

    /// <summary>
    /// The work after the last epoch that builds the Score: for the nearest-neighbour score, the prototypes (or the
    /// stored rows), their statistics and <see cref="LeaveOneOutScores"/>; zero for the reconstruction error.
    /// </summary>
    public TimeSpan ScoreBuildTime { get; init; }

    /// <summary>The per-feature standardization fitted on the training data.</summary>
    public Standardizer Standardizer { get; }

    /// <summary>The architecture with every automatic size resolved, described, e.g. <c>30-60-8-60-30 Tanh</c>.</summary>
    public string Architecture => Model.Describe();

    /// <summary>Size of the latent code.</summary>
    public int LatentSize => Model.LatentSize;

    /// <summary>True for a variational autoencoder.</summary>
    public bool Variational => Model.Variational;

    /// <summary>True for a convolutional autoencoder (rows laid out as <see cref="ImageShape"/>).</summary>
    public bool Convolutional => Model is ConvolutionalAutoencoder;

    /// <summary>The image layout of a convolutional model's rows; <see langword="null"/> for a dense model.</summary>
    public ImageShape? ImageShape => (Model as ConvolutionalAutoencoder)?.Image;

    /// <summary>Number of input features.</summary>
    public int InputSize => Model.InputSize;

    /// <summary>Losses per epoch, in order.</summary>
    public IReadOnlyList<EpochMetrics> History { get; }

    /// <summary>The epoch whose weights were kept (the best validation loss), or the last epoch without validation.</summary>
    public int BestEpoch { get; }

    /// <summary>β of a variational model's objective (see <see cref="TrainerOptions.KLWeight"/>).</summary>
    public double KLWeight { get; }

    /// <summary>What a variational model's Score measures.</summary>
    public VariationalScore VariationalScore { get; }

    /// <summary>Per encoder layer (input side first), the losses of its greedy pretraining; empty without stacked pretraining.</summary>
    public IReadOnlyList<IReadOnlyList<EpochMetrics>> PretrainingHistory { get; }

    /// <summary>Rows trained on per epoch (validation rows excluded).</summary>
    public long TrainingRows { get; }

    /// <summary>True when early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; }

    /// <summary>
    /// σ when training corrupted with unclipped Gaussian noise alone (then the exported graph also estimates the score
    /// function); otherwise <see langword="null"/>.
    /// </summary>
    public double? GaussianNoiseSigma { get; }

    /// <summary>The settings training ran with, as recorded in the exported model's metadata.</summary>
    public TrainingSettings Settings { get; }

    /// <summary>Runs the model on <paramref name="data"/> (original scale) in evaluation mode, computing exactly what the exported graph computes.</summary>
    public AutoencoderOutputs Predict(FeatureMatrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != InputSize)
            throw new ArgumentException($"Expected {InputSize} features, got {data.Columns}.", nameof(data));
        int d = InputSize, k = LatentSize, rows = data.Rows;
        var (reconstruction, latent, errors, scores) = (new float[rows * d], new float[rows * k], new float[rows * d], new float[rows]);
        // In chunks: a convolutional model's feature maps for thousands of images at once would take gigabytes.
        for (int start = 0; start < rows; start += PredictionChunkRows)
        {
            int count = Math.Min(PredictionChunkRows, rows - start);
            var chunk = Standardizer.Transform(new FeatureMatrix(data.Values.AsSpan(start * d, count * d).ToArray(), count, d));
            PredictStandardized(chunk, reconstruction.AsSpan(start * d, count * d), latent.AsSpan(start * k, count * k),
                errors.AsSpan(start * d, count * d), scores.AsSpan(start, count));
        }
        return new AutoencoderOutputs(new FeatureMatrix(reconstruction, rows, d), new FeatureMatrix(latent, rows, k), new FeatureMatrix(errors, rows, d), scores);
    }

    private const int PredictionChunkRows = 128;

    private void PredictStandardized(FeatureMatrix standardized, Span<float> reconstructionOut, Span<float> latentOut, Span<float> errorsOut, Span<float> scoresOut)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.tensor(standardized.Values, [standardized.Rows, standardized.Columns]);
        Tensor latent, restored;
        Tensor? divergence = null;
        if (Variational)
        {
            var (mean, logVariance) = Model.EncodeDistribution(x);
            (latent, restored) = (mean, Model.Decode(mean));
            if (VariationalScore == VariationalScore.NegativeElbo)
            {
                using var weight = (2 * KLWeight / InputSize).ToScalar(); // explicit and disposed: see Models/LeakyReLU
                divergence = AutoencoderTrainer.KLDivergence(mean, logVariance) * weight;
            }
        }
        else
            (latent, restored) = Model.Reconstruct(x);
        var difference = restored - x;
        var errors = difference * difference;
        var scores = Neighbors is not null ? Neighbors.Score(x, Model, errors)
            : divergence is null ? errors.mean([1L]) : errors.mean([1L]).Plus(divergence);
        var reconstruction = (restored / torch.tensor(Standardizer.Scale)).Plus(torch.tensor(Standardizer.Mean));
        TensorMemory.ToArray(reconstruction).CopyTo(reconstructionOut);
        TensorMemory.ToArray(latent).CopyTo(latentOut);
        TensorMemory.ToArray(errors).CopyTo(errorsOut);
        TensorMemory.ToArray(scores).CopyTo(scoresOut);
        // As in the graph: a row whose error is NaN (NaN or infinite inputs) scores +inf.
        foreach (ref float score in scoresOut)
            if (float.IsNaN(score))
                score = float.PositiveInfinity;
    }

    /// <summary>Anomaly scores of <paramref name="data"/> (see <see cref="ScoreKind"/>), as the exported graph computes them.</summary>
    public float[] Score(FeatureMatrix data) => Predict(data).Scores;

    /// <summary>Anomaly scores of every row of <paramref name="source"/>, streamed in chunks of <paramref name="chunkRows"/> rows.</summary>
    public float[] Score(IRowSource source, int chunkRows = 4096)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        if (source is FeatureMatrix matrix)
            return Score(matrix);
        var scores = new List<float>();
        var chunk = new float[chunkRows * source.Columns];
        using var reader = source.OpenReader();
        while (true)
        {
            int rows = 0;
            while (rows < chunkRows && reader.TryRead(chunk.AsSpan(rows * source.Columns, source.Columns)))
                rows++;
            if (rows == 0)
                return [.. scores];
            scores.AddRange(Score(new FeatureMatrix(chunk[..(rows * source.Columns)], rows, source.Columns)));
        }
    }

    /// <summary>
    /// Draws <paramref name="count"/> new rows (original scale) by decoding codes sampled from the prior N(0, I): the
    /// generative use of a variational autoencoder. Seeded.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not variational.</exception>
    public FeatureMatrix Sample(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!Variational)
            throw new InvalidOperationException("Sampling from the prior needs a variational autoencoder (TrainerOptions.Variational).");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = new Generator((ulong)(uint)seed);
        var codes = torch.randn([count, LatentSize], generator: generator);
        var restored = (Model.Decode(codes) / torch.tensor(Standardizer.Scale)).Plus(torch.tensor(Standardizer.Mean));
        return ToMatrix(restored);
    }

    private static FeatureMatrix ToMatrix(Tensor tensor) =>
        new(TensorMemory.ToArray(tensor), (int)tensor.shape[0], (int)tensor.shape[1]);

    /// <summary>Releases the TorchSharp model.</summary>
    public void Dispose() => Model.Dispose();
}
