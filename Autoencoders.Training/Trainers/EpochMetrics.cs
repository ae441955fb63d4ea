namespace Autoencoders.Training.Trainers;

/// <summary>Losses and pace of one training epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainingLoss">Mean training objective over the epoch's minibatches (training mode: dropout and corruption on; regularization penalties included).</param>
/// <param name="ValidationLoss">Loss on the held-out rows in evaluation mode, or <see langword="null"/> without validation.</param>
/// <param name="Rows">Rows trained on in the epoch.</param>
/// <param name="Duration">Wall-clock time of the epoch, validation included.</param>
/// <param name="Epochs">Epochs planned in all (early stopping may end training sooner).</param>
public sealed record EpochMetrics(int Epoch, double TrainingLoss, double? ValidationLoss, long Rows, TimeSpan Duration, int Epochs)
{
    /// <summary>Training rows per second in this epoch.</summary>
    public double RowsPerSecond => Duration > TimeSpan.Zero ? Rows / Duration.TotalSeconds : 0;
}
