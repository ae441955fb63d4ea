using System.Diagnostics;
using Autoencoders.Benchmarks.Support;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Autoencoders.Training.Trainers;

namespace Autoencoders.Benchmarks.Throughput;

/// <summary>Rows per second for the ways of scoring the same dense 784→256→64 autoencoder, measured in one process.</summary>
internal sealed class ScoringThroughput(int rows, int perRowRows, int batchSize, int predictions)
{
    public const int Features = 784;

    public sealed record Result(double Ours, double DirectOnnxRuntime, double PerRowApplyOnnxModel, double RandomizedPca,
        double MedianLatencyMicroseconds, double P99LatencyMicroseconds, double PeakWorkingSetMiB, double PredictionGrowthMiB, int Predictions);

    public Result Run(Action<string> log)
    {
        var context = new MLContext(seed: 1);
        var data = SyntheticRows.Create(rows, Features, seed: 3);
        var view = DataViews.FromMatrix(context, data);
        var trainView = DataViews.FromMatrix(context, SyntheticRows.Create(4000, Features, seed: 4));

        log("training the 784-256-64 model for scoring (1 epoch)");
        var model = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
        {
            HiddenLayerSizes = [256],
            LatentSize = 64,
            NumberOfEpochs = 1,
            Seed = 1,
            ScoringBatchSize = batchSize,
            // The autoencoder graph alone (the scoring path's overhead against direct ONNX Runtime is the question), as in earlier runs.
            ScoreKind = ScoreKind.ReconstructionError,
        }).Fit(trainView);
        string onnxPath = Path.Combine(Path.GetTempPath(), $"throughput-{Environment.ProcessId}.onnx");
        model.SaveOnnx(onnxPath);
        try
        {
            log($"prediction engine: {predictions} single-row predictions");
            var (median, p99, growth) = Latency(context, model, data, predictions);

            log($"scoring {rows} rows through the IDataView (batch {batchSize})");
            double ours = rows / Measure.MedianSeconds(() => SumScores(model.Transform(view), "Score"));

            log($"scoring {rows} rows with ONNX Runtime directly (batch {batchSize})");
            double direct = rows / Measure.MedianSeconds(() => DirectOnnxRuntime(model.Model, data));

            log($"scoring {perRowRows} rows with ML.NET's ApplyOnnxModel (one ONNX Runtime call per row)");
            var perRowView = DataViews.FromMatrix(context, SyntheticRows.Create(perRowRows, Features, seed: 3));
            var applyOnnx = context.Transforms.ApplyOnnxModel([OnnxNames.Score], [OnnxNames.Features], onnxPath).Fit(perRowView);
            double perRow = perRowRows / Measure.MedianSeconds(() => SumVectorScores(applyOnnx.Transform(perRowView), OnnxNames.Score), repeats: 1);

            log($"scoring {rows} rows with ML.NET's RandomizedPca (rank 64)");
            var pca = context.AnomalyDetection.Trainers.RandomizedPca(rank: 64, seed: 1).Fit(trainView);
            double pcaRate = rows / Measure.MedianSeconds(() => SumScores(pca.Transform(view), "Score"));

            return new Result(ours, direct, perRow, pcaRate, median, p99, Measure.PeakWorkingSetMiB(), growth, predictions);
        }
        finally
        {
            File.Delete(onnxPath);
            model.Dispose();
        }
    }

    internal static double SumScores(IDataView scored, string column)
    {
        double sum = 0;
        using var cursor = scored.GetRowCursor([scored.Schema[column]]);
        var getter = cursor.GetGetter<float>(scored.Schema[column]);
        float value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            sum += value;
        }
        return sum;
    }

    private static double SumVectorScores(IDataView scored, string column)
    {
        double sum = 0;
        using var cursor = scored.GetRowCursor([scored.Schema[column]]);
        var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema[column]);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            sum += value.GetValues()[0];
        }
        return sum;
    }

    /// <summary>The reference: the same graph, the same batch size, rows copied from memory into one reused input buffer.</summary>
    private double DirectOnnxRuntime(AutoencoderOnnxModel model, Training.Data.FeatureMatrix data)
    {
        // The graph cut to the score, as the batched transformer runs it when only the score is read.
        using var session = new InferenceSession(model.ToBytes([OnnxNames.Score]));
        var input = new float[batchSize * Features];
        var scores = new float[batchSize];
        double sum = 0;
        for (int start = 0; start < data.Rows; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Rows - start);
            data.Values.AsSpan(start * Features, count * Features).CopyTo(input);
            using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, count * Features), [count, Features]);
            using var outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, scores.AsMemory(0, count), [count]);
            session.Run(null, [OnnxNames.Features], [inputValue], [OnnxNames.Score], [outputValue]);
            for (int i = 0; i < count; i++)
                sum += scores[i];
        }
        return sum;
    }

    /// <summary>
    /// Single-row latency through a prediction engine: <paramref name="predictions"/> calls cycling over up to 1,000 rows of
    /// <paramref name="data"/> (consecutive rows differ), after 500 untimed ones; median, 99th percentile (µs), and the working
    /// set's change over the last 90% of the calls.
    /// </summary>
    internal static (double Median, double P99, double GrowthMiB) Latency(MLContext context, ITransformer model, Training.Data.FeatureMatrix data, int predictions)
    {
        var schema = SchemaDefinition.Create(typeof(DataViews.Row));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.Columns);
        var engine = context.Model.CreatePredictionEngine<DataViews.Row, Prediction>(model, inputSchemaDefinition: schema);
        var rows = Enumerable.Range(0, Math.Min(1000, data.Rows)).Select(r => new DataViews.Row { Features = data.Row(r).ToArray() }).ToArray();
        var output = new Prediction();
        for (int i = 0; i < 500; i++)
            engine.Predict(rows[i % rows.Length], ref output);

        var latencies = new List<double>(predictions);
        double earlyWorkingSet = 0;
        var watch = new Stopwatch();
        for (int i = 0; i < predictions; i++)
        {
            if (i == predictions / 10)
                earlyWorkingSet = Measure.WorkingSetMiB();
            watch.Restart();
            engine.Predict(rows[i % rows.Length], ref output);
            latencies.Add(watch.Elapsed.TotalMicroseconds);
        }
        double growth = Measure.WorkingSetMiB() - earlyWorkingSet;
        return (Measure.Percentile(latencies, 0.5), Measure.Percentile(latencies, 0.99), growth);
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
