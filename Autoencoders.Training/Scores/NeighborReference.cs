namespace Autoencoders.Training.Scores;

/// <summary>
/// What the nearest-neighbour score (<see cref="Trainers.ScoreKind.NearestNeighbors"/>) stores in the model to compare rows
/// with — and so what a saved model file holds of the training data.
/// </summary>
public enum NeighborReference
{
    /// <summary>
    /// Prototypes: the training rows are grouped (k-means, seeded) into at most <see cref="NeighborScoreOptions.ReferenceSize"/>
    /// groups of at least <see cref="NeighborScoreOptions.PrototypeMembers"/> rows, and each group is stored as the mean of its
    /// members (in every space the score compares), with its member count and spread. No stored vector is a training row
    /// (unless that many identical rows make up a group), the model's size and scoring cost do not grow with the training
    /// rows, and a row's distance to a group is the root mean squared distance to its members. The default.
    /// </summary>
    Prototypes,

    /// <summary>
    /// The training rows themselves (standardized; up to <see cref="NeighborScoreOptions.ReferenceSize"/> of them, drawn
    /// at random when there are more): exact k-nearest-neighbour distances, but the saved model then contains the training
    /// data — anyone holding the file can read the rows back. Opt-in.
    /// </summary>
    TrainingRows,
}
