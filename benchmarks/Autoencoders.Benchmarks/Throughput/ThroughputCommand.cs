using System.Globalization;
using Autoencoders.Benchmarks.Support;

namespace Autoencoders.Benchmarks.Throughput;

/// <summary>
/// <c>throughput</c>: scoring and training throughput side by side in one run, as a table of ratios.
/// Options: <c>--rows N</c> (scoring rows, default 50000), <c>--per-row-rows N</c> (rows for ML.NET's per-row path,
/// default 10000), <c>--batch N</c> (scoring batch, default 256), <c>--predictions N</c> (prediction-engine calls,
/// default 1000000), <c>--train-rows N</c> (default 20000), <c>--epochs N</c> (training epochs including one warm-up,
/// default 4), <c>--threads N</c> (training threads, default the library's choice: all cores for the large model, one for the small), <c>--rounds N</c> (alternating training runs of
/// ours and PyTorch, summarized by their medians, default 3), <c>--detector-sizes 2000x20,20000x20,50000x50</c> (training
/// rows × features of the detector table: the default Score beside the reconstruction error, see <see cref="DetectorThroughput"/>;
/// <c>none</c> skips it), <c>--detector-predictions N</c> (single-row predictions per detector, default 20000), and the default
/// detector's nearest-neighbour settings (<see cref="NeighborArguments"/>, each defaulting to the library's).
/// </summary>
internal static class ThroughputCommand
{
    public static int Run(Arguments arguments)
    {
        int rows = arguments.Int("rows", 50_000);
        int perRowRows = arguments.Int("per-row-rows", 10_000);
        int batch = arguments.Int("batch", 256);
        int predictions = arguments.Int("predictions", 1_000_000);
        int trainRows = arguments.Int("train-rows", 20_000);
        int epochs = arguments.Int("epochs", 4);
        int? threads = arguments.String("threads", "") is { Length: > 0 } ? arguments.Int("threads", 1) : null;
        int rounds = arguments.Int("rounds", 3);
        string sizesText = arguments.String("detector-sizes", "2000x20,20000x20,50000x50");
        var detectorSizes = sizesText == "none" ? [] : sizesText.Split(',').Select(size => size.Split('x') is [var r, var f]
            && int.TryParse(r, NumberStyles.Integer, CultureInfo.InvariantCulture, out int rowCount) && int.TryParse(f, NumberStyles.Integer, CultureInfo.InvariantCulture, out int featureCount)
            && rowCount >= 2 && featureCount >= 1 ? (rowCount, featureCount)
            : throw new ArgumentOutOfRangeException("--detector-sizes", size, "Expected ROWSxFEATURES, e.g. 50000x50.")).ToArray();
        int detectorPredictions = arguments.Int("detector-predictions", 20_000);
        if (epochs < 2)
            throw new ArgumentOutOfRangeException("--epochs", epochs, "At least 2 epochs: the first is a warm-up.");
        void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

        var training = new TrainingThroughput(TrainingThroughput.Large, trainRows, epochs, threads, rounds).Run(Log);
        var small = new TrainingThroughput(TrainingThroughput.Small, trainRows, epochs, threads, rounds, streamed: false).Run(Log);
        var scoring = new ScoringThroughput(rows, perRowRows, batch, predictions).Run(Log);
        var detectors = new DetectorThroughput(detectorSizes, detectorPredictions, NeighborArguments.Parse(arguments)).Run(Log);

        double vsDirect = scoring.Ours / scoring.DirectOnnxRuntime;
        double vsPerRow = scoring.Ours / scoring.PerRowApplyOnnxModel;
        double? vsPyTorch = training.PyTorch is double p ? training.Ours / p : null;
        var c = CultureInfo.InvariantCulture;

        Console.WriteLine(Machine.Describe() + $", {Environment.OSVersion}");
        Console.WriteLine($"Model: dense {TrainingThroughput.Large.Describe()} (trained as a denoiser on standardized rows). Scoring batch {batch}; training {training.Threads} threads, {epochs - 1} timed epochs of {trainRows} rows, median of {rounds} alternating rounds after one untimed run of ours. Small network: {TrainingThroughput.Small.Describe()} (the defaults for a 20-feature table), {small.Threads} thread(s), the same rows and rounds; PyTorch with the same thread count as ours.");
        Console.WriteLine();
        Console.WriteLine("| What                                          | Throughput (rows/s) | Ours ÷ it |");
        Console.WriteLine("|-----------------------------------------------|---------------------|-----------|");
        Row("Scoring: Autoencoders.ML IDataView (batched)", scoring.Ours, 1);
        Row("Scoring: ONNX Runtime called directly", scoring.DirectOnnxRuntime, vsDirect);
        Row("Scoring: ML.NET ApplyOnnxModel (per row)", scoring.PerRowApplyOnnxModel, vsPerRow);
        Row("Scoring: ML.NET RandomizedPca (rank 64)", scoring.RandomizedPca, scoring.Ours / scoring.RandomizedPca);
        Row("Training: Autoencoders.Training (TorchSharp)", training.Ours, 1);
        Row("Training: first run in the process", training.FirstRun, training.Ours / training.FirstRun);
        Row("Training: streamed from an IDataView", training.Streamed!.Value, training.Ours / training.Streamed.Value);
        if (training.PyTorch is double pytorch)
            Row($"Training: PyTorch ({training.PyTorchNote})", pytorch, vsPyTorch!.Value);
        else
            Console.WriteLine($"| Training: PyTorch unavailable: {training.PyTorchNote} |");
        Row("Small network: Autoencoders.Training", small.Ours, 1);
        if (small.PyTorch is double smallPyTorch)
            Row("Small network: PyTorch", smallPyTorch, small.Ours / smallPyTorch);
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Prediction engine, one row: median {scoring.MedianLatencyMicroseconds:F1} µs, p99 {scoring.P99LatencyMicroseconds:F1} µs; working set change over the last 90% of {scoring.Predictions} predictions: {scoring.PredictionGrowthMiB:+0.0;-0.0} MiB."));
        Console.WriteLine(string.Create(c, $"Peak working set: {training.PeakWorkingSetMiB:F0} MiB after training, {scoring.PeakWorkingSetMiB:F0} MiB after scoring; working set change from the first to the last training epoch: {training.WorkingSetGrowthMiB:+0.0;-0.0} MiB."));
        if (detectors.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"The anomaly detector with its defaults (Score: nearest neighbours) beside ScoreKind.ReconstructionError, same data and network, one process; synthetic low-rank rows; scoring {DetectorThroughput.ScoringRows:N0} other rows, batch 256; {detectorPredictions:N0} single-row predictions.");
            Console.WriteLine();
            Console.WriteLine("| Training rows × features | Score | Fit (s) | after training (s) | Batched (rows/s) | ÷ reconstruction | One row p50 (µs) | p99 (µs) | ONNX (MB) |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var d in detectors)
            {
                var reconstruction = detectors.First(r => r.Rows == d.Rows && r.Features == d.Features && r.Detector == "ReconstructionError");
                Console.WriteLine(string.Create(c, $"| {d.Rows:N0} × {d.Features} | {d.Detector} | {d.FitSeconds:F1} | {d.AfterTrainingSeconds:F2} | {d.RowsPerSecond:N0} | {d.RowsPerSecond / reconstruction.RowsPerSecond:F2} | {d.MedianMicroseconds:F1} | {d.P99Microseconds:F1} | {d.ModelBytes / 1048576.0:F2} |"));
            }
            var largest = detectors.Where(d => d.Detector == "default").MaxBy(d => (long)d.Rows * d.Features)!;
            var largestReconstruction = detectors.First(r => r.Rows == largest.Rows && r.Features == largest.Features && r.Detector == "ReconstructionError");
            Console.WriteLine();
            Console.WriteLine(string.Create(c, $"default detector at {largest.Rows:N0} × {largest.Features}: {largest.RowsPerSecond / largestReconstruction.RowsPerSecond:F2} of the reconstruction path's rows/s, one-row p99 {largest.P99Microseconds:F0} µs, ONNX {largest.ModelBytes / 1048576.0:F2} MB"));
        }
        double? smallVsPyTorch = small.PyTorch is double sp ? small.Ours / sp : null;
        Console.WriteLine(string.Create(c, $"scoring vs direct ONNX Runtime: {vsDirect:F2}; vs per-row ApplyOnnxModel: {vsPerRow:F2}; training vs PyTorch: {(vsPyTorch is double v ? v.ToString("F2", c) : "n/a")}; small network vs PyTorch: {(smallVsPyTorch is double w ? w.ToString("F2", c) : "n/a")}"));
        return 0;

        static void Row(string what, double rate, double ratio) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what,-45} | {rate,19:N0} | {ratio,9:F2} |"));
    }
}
