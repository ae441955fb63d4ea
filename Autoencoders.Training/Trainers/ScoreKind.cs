namespace Autoencoders.Training.Trainers;

/// <summary>What an anomaly detector's exported <c>Score</c> measures (higher is more anomalous in every case).</summary>
public enum ScoreKind
{
    /// <summary>
    /// The mean squared reconstruction error per feature, in standardized units: how badly the autoencoder reconstructs the
    /// row. It catches rows off the normal data's manifold, but not rows that are extreme along it.
    /// </summary>
    ReconstructionError,

    /// <summary>
    /// How far the row lies from the training rows it most resembles, seen twice: the mean distance to its nearest training
    /// rows in the standardized input, and the same in the encoder's first hidden layer (the code, when there is none or the
    /// model is convolutional). Each distance is standardized by the training rows' own (each scored leave-one-out), then
    /// the two are added: 0 is a typical training row, 3 is about three standard deviations more remote. The model stores
    /// prototypes — means of at least three training rows, at most 512 of them, with their member counts and spreads — or,
    /// opt-in, the training rows themselves (<see cref="TrainerOptions.Neighbors"/>, <see cref="Scores.NeighborScoreOptions.Reference"/>).
    /// Image rows (<see cref="TrainerOptions.ImageShape"/> set) are compared after a slight blur (the hidden features are
    /// those of the blurred image) and, in the input, at the best of the image's one-pixel shifts, so that an object drawn a
    /// pixel off counts for little; a third distance compares their edge-orientation histograms, which see outlines whatever
    /// the brightness or contrast. The autoencoder's own reconstruction error can join them
    /// (<see cref="Scores.NeighborScoreOptions.ReconstructionWeight"/>, off by default).
    /// </summary>
    NearestNeighbors,
}
