using static TorchSharp.torch;

namespace Autoencoders.Training.Training;

/// <summary>Where the trainer's minibatches come from: rows held in memory, or rows streamed through a shuffle buffer.</summary>
internal abstract class TrainingBatches : IDisposable
{
    /// <summary>Rows trained on per epoch.</summary>
    public abstract long TrainingRows { get; }

    /// <summary>Rows held out for validation (0 without validation).</summary>
    public abstract long ValidationRows { get; }

    /// <summary>Starts an epoch (reshuffling when asked).</summary>
    public abstract void StartEpoch();

    /// <summary>The next standardized minibatch of the epoch (created in the caller's dispose scope), or null at its end.</summary>
    public abstract Tensor? NextBatch();

    /// <summary>Mean loss over the validation rows, weighting each validation batch by its rows.</summary>
    public abstract double ValidationLoss(Func<Tensor, Tensor> loss);

    public abstract void Dispose();
}
