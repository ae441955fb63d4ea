namespace Autoencoders.Training.Trainers;

/// <summary>Thrown when the training loss becomes NaN or infinite, or runs away by orders of magnitude while staying finite.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the given epoch and minibatch (0 for the validation pass).</summary>
    public TrainingDivergedException(int epoch, int batch, double loss, double learningRate)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Training diverged: the loss became {loss} at epoch {epoch}{(batch > 0 ? $", minibatch {batch}" : " on the validation rows")}. Lower LearningRate (now {learningRate}) or check the data for extreme values."))
    {
        Epoch = epoch;
        Batch = batch;
    }

    private TrainingDivergedException(string message, int epoch)
        : base(message)
    {
        Epoch = epoch;
    }

    /// <summary>
    /// The exception for an epoch whose reconstruction loss stayed finite but ran away: <paramref name="loss"/> is far
    /// above <paramref name="meanPrediction"/>, the loss of a model that predicts the mean row.
    /// </summary>
    internal static TrainingDivergedException RunAway(int epoch, double loss, double meanPrediction, double learningRate) => new(
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Training diverged: at epoch {epoch} the reconstruction loss was {loss:G4}, against {meanPrediction:G4} for predicting the mean row; the weights ran away. ") +
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Lower LearningRate (now {learningRate}) or check the data for extreme values."), epoch);

    /// <summary>1-based epoch in which the loss diverged.</summary>
    public int Epoch { get; }

    /// <summary>1-based minibatch within the epoch, or 0 for the validation pass or a whole epoch whose loss ran away.</summary>
    public int Batch { get; }
}
