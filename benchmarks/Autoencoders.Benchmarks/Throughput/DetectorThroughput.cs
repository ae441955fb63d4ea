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
/// export, the threshold's scoring of every training row), batched scoring rate over <see cref="ScoringRows"/> other rows
/// (the median of <see cref="Rounds"/> rounds, the two detectors alternating),
/// single-row latency through a prediction engine, and the ONNX file's size.
/// </summary>
internal sealed class DetectorThroughput((int Rows, int Features)[] sizes, int predictions, Training.Scores.NeighborScoreOptions neighbors)
{
    /// <summary>Rows scored per batched measurement (not the training rows).</summary>
    public const int ScoringRows = 50_000;

    public sealed record Result(int Rows, int Features, string Detector, double FitSeconds, double AfterTrainingSeconds, double RowsPerSecond,
        double MedianMicroseconds, double P99Microseconds, long ModelBytes);

    /// <summary>Alternating scoring rounds per size (each detector's batched rate is the median of its rounds): the machine's speed drifts.</summary>
    public const int Rounds = 5;

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
            var fitted = new List<(string Name, ITransformer Model, double Fit, double After, long Bytes)>();
            try
            {
                foreach (var (name, kind) in new[] { ("default", AutoencoderDefaults.DetectorScoreKind), ("ReconstructionError", ScoreKind.ReconstructionError) })
                {
                    log($"detector {name}: fitting on {rows} × {features}");
                    var lastEpoch = new Stopwatch();
                    var options = new AutoencoderAnomalyDetectionTrainer.Options { Seed = 1, ScoreKind = kind, Neighbors = neighbors with { }, Progress = _ => lastEpoch.Restart() };
                    var clock = Stopwatch.StartNew();
                    var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(training);
                    fitted.Add((name, model, clock.Elapsed.TotalSeconds, lastEpoch.Elapsed.TotalSeconds, model.Model.ToBytes().Length));
                }
                log($"scoring {ScoringRows} rows, {Rounds} alternating rounds");
                var rates = fitted.Select(_ => new List<double>()).ToList();
                for (int round = 0; round <= Rounds; round++)
                    for (int i = 0; i < fitted.Count; i++)
                    {
                        var clock = Stopwatch.StartNew();
                        ScoringThroughput.SumScores(fitted[i].Model.Transform(scoring), "Score");
                        if (round > 0) // the first round warms up
                            rates[i].Add(ScoringRows / clock.Elapsed.TotalSeconds);
                    }
                for (int i = 0; i < fitted.Count; i++)
                {
                    log($"detector {fitted[i].Name}: {predictions} single rows");
                    var (median, p99, _) = ScoringThroughput.Latency(context, fitted[i].Model, scoringData, predictions);
                    results.Add(new Result(rows, features, fitted[i].Name, fitted[i].Fit, fitted[i].After, Measure.Percentile(rates[i], 0.5), median, p99, fitted[i].Bytes));
                }
            }
            finally
            {
                foreach (var f in fitted)
                    (f.Model as IDisposable)?.Dispose();
            }
        }
        return results;
    }
}
