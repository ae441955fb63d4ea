namespace Autoencoders.Training.Trainers;

/// <summary>The loss between a reconstruction and its target, averaged over features and rows.</summary>
public enum ReconstructionLoss
{
    /// <summary>Mean squared error.</summary>
    MeanSquaredError,
    /// <summary>Mean absolute error; robust to outliers in the training data.</summary>
    MeanAbsoluteError,
    /// <summary>Huber loss: squared below <see cref="TrainerOptions.HuberDelta"/>, linear above.</summary>
    Huber,
}
