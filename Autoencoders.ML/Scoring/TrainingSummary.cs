using Autoencoders.Training.Trainers;

namespace Autoencoders.ML.Scoring;

/// <summary>What happened when an autoencoder stage was fitted.</summary>
/// <param name="History">Losses per epoch.</param>
/// <param name="BestEpoch">The epoch whose weights were kept.</param>
/// <param name="StoppedEarly">Whether early stopping ended training.</param>
/// <param name="TrainingRows">Rows trained on per epoch (after skipping invalid rows and holding out validation rows).</param>
/// <param name="Architecture">Architecture description, e.g. <c>30-60-8-60-30 Tanh</c>.</param>
/// <param name="PretrainingHistory">Per encoder layer, the losses of its greedy pretraining (empty without it).</param>
public sealed record TrainingSummary(IReadOnlyList<EpochMetrics> History, int BestEpoch, bool StoppedEarly, long TrainingRows, string Architecture,
    IReadOnlyList<IReadOnlyList<EpochMetrics>> PretrainingHistory);
