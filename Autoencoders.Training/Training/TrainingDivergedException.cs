namespace Autoencoders.Training.Training;

/// <summary>Thrown when the training loss becomes NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the given epoch and minibatch (0 for the validation pass).</summary>
    public TrainingDivergedException(int epoch, int batch, double loss, double learningRate)
        : base($"Training diverged: the loss became {loss} at epoch {epoch}" + (batch > 0 ? $", minibatch {batch}" : " on the validation rows") +
               $". Lower LearningRate (now {learningRate}) or check the data for extreme values.")
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>1-based epoch in which the loss diverged.</summary>
    public int Epoch { get; }

    /// <summary>1-based minibatch within the epoch, or 0 for the validation pass.</summary>
    public int Batch { get; }
}
