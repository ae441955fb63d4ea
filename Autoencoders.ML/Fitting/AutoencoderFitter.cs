using System.Diagnostics;
using System.Globalization;
using Autoencoders.ML.Data;
using Autoencoders.ML.Interop;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Data;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Fitting;

/// <summary>
/// What every autoencoder estimator's Fit does: read the feature column, train (progress and warnings on the MLContext's
/// channel, cancellation from the caller and the MLContext), export, choose the threshold from ONNX Runtime's own scores
/// of the training rows (leave-one-out scores where the graph cannot give them, see
/// <see cref="TrainedAutoencoder.LeaveOneOutScores"/>), wrap.
/// </summary>
internal static class AutoencoderFitter
{
    /// <param name="environment">The MLContext's environment (log, seed, cancellation, GPU).</param>
    /// <param name="component">Name under which messages are logged.</param>
    /// <param name="input">Training data.</param>
    /// <param name="options">Training and scoring settings (the estimator's own copy).</param>
    /// <param name="threshold">Chooses the anomaly threshold written into the graph (and names its rule) from the scores of the training rows and of the validation rows among them.</param>
    public static AutoencoderTransformer Fit(IHostEnvironment environment, string component, IDataView input,
        AutoencoderTrainingOptions options, Func<IReadOnlyCollection<float>, IReadOnlyCollection<float>, (float Threshold, string Rule)> threshold)
    {
        ArgumentNullException.ThrowIfNull(input);
        var host = environment.Register(component);
        using var channel = host.Start("Fit");
        void Warn(string message) => channel.Warning(MessageSensitivity.None, message);
        int seed = options.Seed ?? host.Rand.Next();
        var scoring = options.CopyScoring();
        CheckScoringDeviceBeforeTraining(environment, scoring);
        var trainer = new AutoencoderTrainer(options.ToTrainerOptions(seed, Warn, metrics =>
        {
            channel.Info(MessageSensitivity.None, Describe(metrics));
            options.Progress?.Invoke(metrics);
        }));

        using var cancellation = new EnvironmentCancellation(environment, options.CancellationToken);
        IRowSource data;
        TrainedAutoencoder trained;
        if (options.TargetColumnName is string target)
        {
            var pairs = FeatureMatrix.Read(new DataViewRowSource(input, [options.FeatureColumnName, target], options.InvalidValueHandling, Warn));
            var (inputs, targets) = Split(pairs);
            data = inputs;
            trained = trainer.Fit(inputs, targets, cancellation.Token);
        }
        else
        {
            var source = new DataViewRowSource(input, options.FeatureColumnName, options.InvalidValueHandling, Warn);
            data = options.ShuffleBufferRows is null ? FeatureMatrix.Read(source) : source;
            trained = trainer.Fit(data, cancellation.Token);
        }

        AutoencoderOnnxModel model;
        TrainingSummary summary;
        Func<long, bool> isValidationRow = trained.IsValidationRow;
        var leaveOneOut = trained.LeaveOneOutScores;
        var scoreBuild = trained.ScoreBuildTime;
        using (trained)
        {
            // A provisional threshold: the real one comes from the graph's own scores below.
            model = trained.ExportOnnx(float.MaxValue);
            summary = new TrainingSummary(trained.History, trained.BestEpoch, trained.StoppedEarly, trained.TrainingRows, trained.Architecture,
                trained.PretrainingHistory);
        }
        float[] scores;
        bool fellBack;
        var scoringTime = Stopwatch.StartNew();
        using (var scorer = AutoencoderTransformer.CreateScorer(environment, model, scoring))
        {
            scores = TrainingScores(scorer, data, scoring.ScoringBatchSize);
            fellBack = scorer.GpuDeviceId is null && AutoencoderTransformer.RequestedGpu(environment, scoring) is not null;
        }
        channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
            $"After training: the Score's reference built in {scoreBuild.TotalSeconds:F2} s; the {scores.Length} training rows scored by ONNX Runtime for the threshold in {scoringTime.Elapsed.TotalSeconds:F2} s."));
        // Rows the graph scores against a prototype that includes them (a little low) count with their leave-one-out score,
        // what a new row like them scores, so the threshold and the Probability output describe new rows. The larger of the
        // two (they differ by float rounding where a row's own prototype does not matter): a contamination threshold then
        // still flags at most that share of the training rows as the graph scores them.
        foreach (var (row, score) in leaveOneOut)
            scores[row] = Math.Max(scores[row], score);
        var validation = scores.Where((_, row) => isValidationRow(row)).ToArray();
        var (chosen, rule) = threshold(scores, validation);
        channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
            $"Trained {summary.Architecture} on {summary.TrainingRows} rows for {summary.History.Count} epochs; threshold {chosen:R} ({rule})."));
        // A GPU that fell back for the training scores was reported then: the fitted stage scores on CPU without a second warning.
        return new AutoencoderTransformer(environment, model.WithThreshold(chosen, rule).WithScoreDistribution(scores, validation.Length > 0 ? validation : null), scoring, summary,
            onCpu: fellBack);
    }

    /// <summary>
    /// Without fallback, a GPU that cannot score fails now, before training, instead of after it (with fallback, the
    /// stage scores on CPU and says why).
    /// </summary>
    private static void CheckScoringDeviceBeforeTraining(IHostEnvironment environment, AutoencoderScoringOptions scoring)
    {
        if (!scoring.FallbackToCpu && (scoring.GpuDeviceId ?? MLNetInternals.GpuDeviceId(environment)) is int gpu)
            OnnxBatchScorer.CheckGpu(gpu);
    }

    /// <summary>
    /// The scores ONNX Runtime gives the training rows (in memory, or streamed once more): the threshold must come from
    /// the same arithmetic that flags rows, not from TorchSharp's, which can differ in the last bit.
    /// </summary>
    private static float[] TrainingScores(OnnxBatchScorer scorer, IRowSource data, int batchRows)
    {
        using var batch = scorer.CreateBatch(batchRows, [OnnxNames.Score]);
        var scores = new List<float>();
        int size = data.Columns;
        using var reader = data.OpenReader();
        while (true)
        {
            int rows = 0;
            while (rows < batchRows && reader.TryRead(batch.Input.AsSpan(rows * size, size)))
                rows++;
            if (rows == 0)
                return [.. scores];
            batch.Run(rows);
            scores.AddRange(batch.Outputs[0].AsSpan(0, rows));
        }
    }

    /// <summary>The per-epoch progress line, as ML.NET's trainers report theirs.</summary>
    internal static string Describe(EpochMetrics metrics)
    {
        int epochs = metrics.Epochs;
        var left = TimeSpan.FromSeconds(metrics.Duration.TotalSeconds * (epochs - metrics.Epoch));
        string validation = metrics.ValidationLoss is double loss ? string.Create(CultureInfo.InvariantCulture, $", validation loss {loss:G5}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"Epoch {metrics.Epoch}/{epochs}: training loss {metrics.TrainingLoss:G5}{validation}, {metrics.RowsPerSecond:N0} rows/s, at most {left.TotalSeconds:N0} s left.");
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
