using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>Where the trainer's minibatches come from: rows held in memory, or rows streamed through a shuffle buffer.</summary>
internal abstract class TrainingBatches : IDisposable
{
    /// <summary>Rows trained on per epoch.</summary>
    public abstract long TrainingRows { get; }

    /// <summary>Rows held out for validation (0 without validation).</summary>
    public abstract long ValidationRows { get; }

    /// <summary>Whether the row with this index (in the order the rows were given) is held out for validation.</summary>
    public abstract bool IsValidationRow(long index);

    /// <summary>Starts an epoch (reshuffling when asked).</summary>
    public abstract void StartEpoch();

    /// <summary>
    /// The next standardized minibatch of the epoch and its target (the same rows, or their second noisy observation for
    /// Noise2Noise), created in the caller's dispose scope; null at the end of the epoch.
    /// </summary>
    public abstract (Tensor Input, Tensor Target)? NextBatch();

    /// <summary>Mean loss(input, target) over the validation rows, weighting each validation batch by its rows.</summary>
    public abstract double ValidationLoss(Func<Tensor, Tensor, Tensor> loss);

    public abstract void Dispose();
}
