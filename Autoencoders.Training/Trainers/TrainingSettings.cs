using System.Globalization;

namespace Autoencoders.Training.Trainers;

/// <summary>The training settings that matter for reproducing a model, recorded in its ONNX metadata.</summary>
public sealed class TrainingSettings
{
    internal TrainingSettings(TrainerOptions options, bool noise2Noise, int epochs)
    {
        Noise2Noise = noise2Noise;
        PretrainingEpochs = options.PretrainingEpochs;
        Epochs = epochs;
        BatchSize = options.BatchSize;
        LearningRate = options.LearningRate;
        WeightDecay = options.WeightDecay;
        Loss = options.Loss;
        Seed = options.Seed;
        ValidationFraction = options.ValidationFraction;
        EarlyStoppingPatience = options.EarlyStoppingPatience;
        Corruptions = options.Corruptions.Select(c => c.ToString()).ToArray();
        Regularizers = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"l1={options.SparsityL1Weight}, kl={options.SparsityKLWeight} (rho={options.SparsityTarget}), contractive={options.ContractiveWeight}");
    }

    /// <summary>Maximum epochs (the automatic count, resolved for the data, when the setting was 0).</summary>
    public int Epochs { get; }
    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; }
    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; }
    /// <summary>Adam weight decay.</summary>
    public double WeightDecay { get; }
    /// <summary>Reconstruction loss.</summary>
    public ReconstructionLoss Loss { get; }
    /// <summary>Random seed.</summary>
    public int Seed { get; }
    /// <summary>Validation fraction.</summary>
    public double ValidationFraction { get; }
    /// <summary>Early-stopping patience.</summary>
    public int EarlyStoppingPatience { get; }
    /// <summary>Greedy layer-wise pretraining epochs per layer (0: none).</summary>
    public int PretrainingEpochs { get; }
    /// <summary>True when the targets were second noisy observations (Noise2Noise) rather than the inputs.</summary>
    public bool Noise2Noise { get; }
    /// <summary>Regularizer weights, described.</summary>
    public string Regularizers { get; }
    /// <summary>Training-time corruptions, described.</summary>
    public IReadOnlyList<string> Corruptions { get; }

    /// <summary>A one-line description, e.g. <c>epochs=100; batch=32; lr=0.001; …</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"epochs={Epochs}; batch={BatchSize}; lr={LearningRate}; weight_decay={WeightDecay}; loss={Loss}; seed={Seed}; validation={ValidationFraction}; patience={EarlyStoppingPatience}; corruption={(Corruptions.Count == 0 ? "none" : string.Join(" then ", Corruptions))}; regularizers={Regularizers}; target={(Noise2Noise ? "second noisy observation" : "input")}; layerwise_pretraining_epochs={PretrainingEpochs}");
}
