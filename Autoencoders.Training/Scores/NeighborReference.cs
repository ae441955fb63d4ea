namespace Autoencoders.Training.Scores;

/// <summary>
/// What the nearest-neighbour score (<see cref="Trainers.ScoreKind.NearestNeighbors"/>) stores in the model to compare rows
/// with — and so what a saved model file holds of the training data.
/// </summary>
public enum NeighborReference
{
    /// <summary>
    /// Prototypes: the training rows are grouped by microaggregation (MDAV) into at most
    /// <see cref="NeighborScoreOptions.ReferenceSize"/> groups of at least <see cref="NeighborScoreOptions.PrototypeMembers"/>
    /// nearby rows, and each group is stored as the mean of its members (and, in the hidden layer and the edge histograms,
    /// that mean's features), with its member count and spread. No stored vector is a training row (unless that many
    /// identical rows make up a group), and the model's size and scoring cost do not grow with the training rows. The default.
    /// </summary>
    Prototypes,

    /// <summary>
    /// The training rows themselves (standardized; up to <see cref="NeighborScoreOptions.ReferenceSize"/> of them, drawn
    /// at random when there are more): exact k-nearest-neighbour distances, but the saved model then contains the training
    /// data — anyone holding the file can read the rows back. Opt-in.
    /// </summary>
    TrainingRows,
}
