using Autoencoders.ML.Data;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Data;
using Autoencoders.Training.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Fitting;

/// <summary>What every autoencoder estimator's Fit does: read the feature column, train, choose the threshold, export, wrap.</summary>
internal static class AutoencoderFitter
{
    /// <param name="environment">The MLContext's environment (logging, seed).</param>
    /// <param name="component">Name under which messages are logged.</param>
    /// <param name="input">Training data.</param>
    /// <param name="options">Training and scoring settings.</param>
    /// <param name="threshold">Chooses the anomaly threshold written into the graph, given the trained model and its data.</param>
    public static AutoencoderTransformer Fit(IHostEnvironment environment, string component, IDataView input,
        AutoencoderTrainingOptions options, Func<TrainedAutoencoder, IRowSource, float> threshold)
    {
        ArgumentNullException.ThrowIfNull(input);
        void Log(string message) => MLNetEnvironment.Warn(environment, component, message);
        int seed = options.Seed ?? environment.Register(component).Rand.Next();
        var trainer = new AutoencoderTrainer(options.ToTrainerOptions(seed, Log));
        IRowSource data;
        TrainedAutoencoder trained;
        if (options.TargetColumnName is string target)
        {
            var pairs = FeatureMatrix.Read(new DataViewRowSource(input, [options.FeatureColumnName, target], options.InvalidValueHandling, Log));
            var (inputs, targets) = Split(pairs);
            data = inputs;
            trained = trainer.Fit(inputs, targets);
        }
        else
        {
            var source = new DataViewRowSource(input, options.FeatureColumnName, options.InvalidValueHandling, Log);
            data = options.ShuffleBufferRows is null ? FeatureMatrix.Read(source) : source;
            trained = trainer.Fit(data);
        }
        using var _ = trained;
        float chosen = threshold(trained, data);
        var model = trained.ExportOnnx(chosen);
        var summary = new TrainingSummary(trained.History, trained.BestEpoch, trained.StoppedEarly, trained.TrainingRows, trained.Architecture,
            trained.PretrainingHistory);
        MLNetEnvironment.Info(environment, component,
            $"Trained {summary.Architecture} on {trained.TrainingRows} rows for {trained.History.Count} epochs; threshold {chosen}.");
        return new AutoencoderTransformer(environment, model, options.CopyScoring(), summary);
    }

    /// <summary>Splits rows of [input, target] side by side into the two matrices.</summary>
    private static (FeatureMatrix Inputs, FeatureMatrix Targets) Split(FeatureMatrix pairs)
    {
        int size = pairs.Columns / 2;
        var inputs = new float[pairs.Rows * size];
        var targets = new float[pairs.Rows * size];
        for (int r = 0; r < pairs.Rows; r++)
        {
            pairs.Row(r)[..size].CopyTo(inputs.AsSpan(r * size, size));
            pairs.Row(r)[size..].CopyTo(targets.AsSpan(r * size, size));
        }
        return (new FeatureMatrix(inputs, pairs.Rows, size), new FeatureMatrix(targets, pairs.Rows, size));
    }
}
