using Autoencoders.Benchmarks.Support;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.ML.Scoring;
using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Autoencoders.Training.Trainers;

namespace Autoencoders.Benchmarks.Micro;

/// <summary>Scoring 4,096 rows of 784 features through the IDataView at several batch sizes.</summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private IDataView _data = null!;
    private readonly Dictionary<int, AutoencoderTransformer> _models = [];

    [Params(1, 32, 256)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var context = new MLContext(seed: 1);
        _data = DataViews.FromMatrix(context, SyntheticRows.Create(4096, 784, seed: 1));
        var model = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
        {
            HiddenLayerSizes = [256], LatentSize = 64, NumberOfEpochs = 1, Seed = 1, ScoringBatchSize = BatchSize, ScoreKind = ScoreKind.ReconstructionError,
        }).Fit(_data);
        _models[BatchSize] = model;
    }

    [Benchmark]
    public float ScoreColumn()
    {
        var scored = _models[BatchSize].Transform(_data);
        float sum = 0;
        using var cursor = scored.GetRowCursor([scored.Schema["Score"]]);
        var getter = cursor.GetGetter<float>(scored.Schema["Score"]);
        float value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            sum += value;
        }
        return sum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var model in _models.Values)
            model.Dispose();
    }
}
