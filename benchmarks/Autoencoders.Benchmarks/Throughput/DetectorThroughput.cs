using System.Diagnostics;
using Autoencoders.Benchmarks.Support;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Training.Trainers;
using Microsoft.ML;

namespace Autoencoders.Benchmarks.Throughput;

/// <summary>
/// The anomaly detector as a user gets it, default Score (<see cref="ScoreKind.NearestNeighbors"/>) beside
/// <see cref="ScoreKind.ReconstructionError"/> on the same data, back to back in one process, for each size
/// (training rows × features): Fit seconds and the part after the last epoch (the score's summary of the training rows,
/// export, the threshold's scoring of every training row), batched scoring rate over <see cref="ScoringRows"/> other rows,
/// single-row latency through a prediction engine, and the ONNX file's size.
/// </summary>
internal sealed class DetectorThroughput((int Rows, int Features)[] sizes, int predictions, Training.Scores.NeighborScoreOptions neighbors)
{
    /// <summary>Rows scored per batched measurement (not the training rows).</summary>
    public const int ScoringRows = 50_000;

    public sealed record Result(int Rows, int Features, string Detector, double FitSeconds, double AfterTrainingSeconds, double RowsPerSecond,
        double MedianMicroseconds, double P99Microseconds, long ModelBytes);

    public List<Result> Run(Action<string> log)
    {
        var results = new List<Result>();
        foreach (var (rows, features) in sizes)
        {
            var context = new MLContext(seed: 1);
            int rank = Math.Max(2, Math.Min(16, features / 2));
            var training = DataViews.FromMatrix(context, SyntheticRows.Create(rows, features, seed: 11, rank));
            var scoringData = SyntheticRows.Create(ScoringRows, features, seed: 12, rank);
            var scoring = DataViews.FromMatrix(context, scoringData);
            foreach (var (name, kind) in new[] { ("default", AutoencoderDefaults.DetectorScoreKind), ("ReconstructionError", ScoreKind.ReconstructionError) })
            {
                log($"detector {name}: fitting on {rows} × {features}");
                var lastEpoch = new Stopwatch();
                var options = new AutoencoderAnomalyDetectionTrainer.Options { Seed = 1, ScoreKind = kind, Neighbors = neighbors with { }, Progress = _ => lastEpoch.Restart() };
                var clock = Stopwatch.StartNew();
                using var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(training);
                double fit = clock.Elapsed.TotalSeconds, after = lastEpoch.Elapsed.TotalSeconds;
                log($"detector {name}: scoring {ScoringRows} rows, then {predictions} single rows");
                double rate = ScoringRows / Measure.MedianSeconds(() => ScoringThroughput.SumScores(model.Transform(scoring), "Score"));
                var (median, p99, _) = ScoringThroughput.Latency(context, model, scoringData, predictions);
                results.Add(new Result(rows, features, name, fit, after, rate, median, p99, model.Model.ToBytes().Length));
            }
        }
        return results;
    }
}
