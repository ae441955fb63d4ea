namespace Autoencoders.Training.Training;

/// <summary>Losses after one training epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainingLoss">Mean training objective over the epoch's minibatches (training mode: dropout and corruption on; regularization penalties included).</param>
/// <param name="ValidationLoss">Loss on the held-out rows in evaluation mode, or <see langword="null"/> without validation.</param>
public sealed record EpochMetrics(int Epoch, double TrainingLoss, double? ValidationLoss);
