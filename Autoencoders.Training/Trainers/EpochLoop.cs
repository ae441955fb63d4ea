using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// The minibatch loop of one epoch, shared by end-to-end training and greedy layer-wise pretraining: each minibatch in its
/// own dispose scope, cancellation checked between minibatches, a non-finite loss stopped with
/// <see cref="TrainingDivergedException"/>, then backward and one optimizer step.
/// </summary>
internal static class EpochLoop
{
    /// <summary>What one minibatch contributes: the objective to minimize and its reconstruction part with the loss a model predicting the mean would have.</summary>
    /// <param name="Objective">The loss to backpropagate (reconstruction, plus KL and regularization penalties).</param>
    /// <param name="Reconstruction">The reconstruction loss alone.</param>
    /// <param name="MeanPrediction">The same loss for a model that outputs the training mean (zero in standardized space).</param>
    public readonly record struct Step(Tensor Objective, Tensor Reconstruction, Tensor MeanPrediction);

    /// <summary>Means over an epoch's rows.</summary>
    public readonly record struct Result(double Objective, double Reconstruction, double MeanPrediction, long Rows);

    /// <summary>
    /// Runs one epoch of <paramref name="batches"/>: <paramref name="step"/> computes a minibatch's losses from (input,
    /// target), or returns null to skip it (a lone row under batch normalization).
    /// </summary>
    /// <exception cref="TrainingDivergedException">A minibatch's loss is NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Result Run(TrainingBatches batches, InPlaceAdam optimizer, Func<Tensor, Tensor, Step?> step, int epoch, double learningRate,
        CancellationToken cancellationToken)
    {
        batches.StartEpoch();
        double objectiveSum = 0, reconstructionSum = 0, meanSum = 0;
        long seen = 0;
        for (int batch = 1; ; batch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            if (batches.NextBatch() is not var (x, target))
                break;
            optimizer.ZeroGrad();
            if (step(x, target) is not { } losses)
                continue;
            double value = losses.Objective.item<float>();
            if (!double.IsFinite(value))
                throw new TrainingDivergedException(epoch, batch, value, learningRate);
            losses.Objective.backward();
            optimizer.Step();
            long rows = x.shape[0];
            objectiveSum += value * rows;
            reconstructionSum += losses.Reconstruction.item<float>() * rows;
            meanSum += losses.MeanPrediction.item<float>() * rows;
            seen += rows;
        }
        long divisor = Math.Max(seen, 1);
        return new Result(objectiveSum / divisor, reconstructionSum / divisor, meanSum / divisor, seen);
    }
}
