using Autoencoders.Training.Models;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// The default of every autoencoder setting, defined once: <see cref="TrainerOptions"/>, the ML.NET stages' options and
/// the catalog methods' parameters all take their defaults from here. The nearest-neighbour score's own settings keep
/// theirs with them, in <see cref="Scores.NeighborScoreOptions.Defaults"/>.
/// </summary>
public static class AutoencoderDefaults
{
    /// <summary>
    /// Passes over the training data: 0, automatic — <see cref="MaxAutomaticEpochs"/>, fewer for large data so that about
    /// <see cref="AutomaticRowBudget"/> rows are seen in all (<see cref="ConvolutionalRowBudget"/> images for a
    /// convolutional model), at least <see cref="MinAutomaticEpochs"/> passes: a dense model trains 100 epochs up to 10,000
    /// rows, 20 for 50,000, 10 from 100,000; a convolutional one 17 epochs on 6,000 images, 10 from 10,000.
    /// </summary>
    public const int NumberOfEpochs = 0;

    /// <summary>Most passes the automatic epoch count makes: 100.</summary>
    public const int MaxAutomaticEpochs = 100;

    /// <summary>Fewest passes the automatic epoch count makes: 10.</summary>
    public const int MinAutomaticEpochs = 10;

    /// <summary>Rows the automatic epoch count lets training see in all (rows × epochs): 1,000,000.</summary>
    public const int AutomaticRowBudget = 1_000_000;

    /// <summary>Images the automatic epoch count lets a convolutional model see in all: 100,000 (a few minutes on 2 cores).</summary>
    public const int ConvolutionalRowBudget = 100_000;

    /// <summary>The automatic epoch count for <paramref name="rows"/> training rows of a dense or <paramref name="convolutional"/> model.</summary>
    public static int AutomaticEpochs(long rows, bool convolutional = false)
    {
        long budget = convolutional ? ConvolutionalRowBudget : AutomaticRowBudget, count = Math.Max(rows, 1);
        return (int)Math.Clamp((budget + count - 1) / count, MinAutomaticEpochs, MaxAutomaticEpochs);
    }

    /// <summary>Fraction of the training rows the anomaly detector holds out to keep its best epoch (early stopping): 0.1.</summary>
    public const double DetectorValidationFraction = 0.1;

    /// <summary>Rows per minibatch: 32.</summary>
    public const int BatchSize = 32;

    /// <summary>Adam learning rate: 1e-3.</summary>
    public const double LearningRate = 1e-3;

    /// <summary>Nonlinearity of a dense autoencoder's hidden layers: <see cref="Activation.Tanh"/>.</summary>
    public const Activation Activation = Models.Activation.Tanh;

    /// <summary>Reconstruction loss: <see cref="ReconstructionLoss.MeanSquaredError"/>.</summary>
    public const ReconstructionLoss Loss = ReconstructionLoss.MeanSquaredError;

    /// <summary>Threshold between the quadratic and linear parts of the Huber loss, in standardized units: 1.</summary>
    public const double HuberDelta = 1.0;

    /// <summary>β of a variational autoencoder's objective: 1 (the ELBO).</summary>
    public const double KLWeight = 1.0;

    /// <summary>What a variational autoencoder's Score measures: <see cref="VariationalScore.ReconstructionError"/>.</summary>
    public const VariationalScore VariationalScore = Trainers.VariationalScore.ReconstructionError;

    /// <summary>Target firing rate ρ of the KL sparsity penalty: 0.05.</summary>
    public const double SparsityTarget = 0.05;

    /// <summary>Epochs without validation improvement before training stops: 10.</summary>
    public const int EarlyStoppingPatience = 10;

    /// <summary>TorchSharp training device: <c>"cpu"</c>.</summary>
    public const string TrainingDevice = "cpu";

    /// <summary>Whether a missing GPU (for training or scoring) falls back to CPU with a warning: <see langword="true"/>.</summary>
    public const bool FallbackToCpu = true;

    /// <summary>Whether rows are shuffled every epoch: <see langword="true"/>.</summary>
    public const bool Shuffle = true;

    /// <summary>What the exported Score measures when nothing is said: <see cref="ScoreKind.ReconstructionError"/> (the engine, denoising and feature stages).</summary>
    public const ScoreKind ScoreKind = Trainers.ScoreKind.ReconstructionError;

    /// <summary>
    /// What the anomaly detector's Score measures: <see cref="ScoreKind.NearestNeighbors"/>, which beat the reconstruction
    /// error, k-NN and IsolationForest on the development suite's validation splits (see README, "Tabular benchmark").
    /// </summary>
    public const ScoreKind DetectorScoreKind = Trainers.ScoreKind.NearestNeighbors;

    /// <summary>Expected fraction of anomalies in the training data, which sets the anomaly threshold: 0.1.</summary>
    public const double Contamination = 0.1;

    /// <summary>
    /// The architecture the denoiser uses for image rows (an image shape declared, no architecture given): a residual
    /// U-Net — four strided blocks of 32, 64, 128 and 256 channels, a spatial code, skip connections, one full-resolution
    /// block that also reads the input image — whose layers learn the noise to take away (<see cref="TrainerOptions.Residual"/>).
    /// Chosen on the Fashion-MNIST denoising benchmark's validation protocol (see README).
    /// </summary>
    public static ConvolutionalArchitecture ImageDenoiser() => new() { Channels = [32, 64, 128, 256], LatentSize = 0, SkipConnections = true, FullResolutionBlocks = 1 };

    /// <summary>Standard deviation of the Gaussian noise a denoiser is trained with when no corruption is given: 0.1.</summary>
    public const double DenoisingNoiseSigma = 0.1;

    /// <summary>Rows scored per ONNX Runtime call when an IDataView is read through a cursor: 256.</summary>
    public const int ScoringBatchSize = 256;
}
