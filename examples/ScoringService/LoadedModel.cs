using Autoencoders.ML;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Onnx;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ScoringService;

/// <summary>
/// One loaded model file and what scores with it: the batched transformer (many rows), a pool of prediction engines
/// (one row; an engine is not thread-safe, a pool gives each request its own), and the training scores' quantiles
/// (Probability). Counted references: a request holds one while it scores, the host holds one while the model is the
/// current one; the last to let go disposes it, so a request always finishes on the model it started with.
/// </summary>
internal sealed class LoadedModel
{
    private readonly MLContext _context = new();
    private readonly AutoencoderTransformer _transformer;
    private readonly SchemaDefinition _schema;
    private readonly ObjectPool<PredictionEngine<Row, Scored>> _engines;
    private readonly float[] _quantiles;
    private int _references = 1;

    private LoadedModel(AutoencoderTransformer transformer, string path, string sha256)
    {
        _transformer = transformer;
        Features = transformer.Model.InputSize;
        _schema = SchemaDefinition.Create(typeof(Row));
        _schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Features);
        _engines = new DefaultObjectPoolProvider { MaximumRetained = Environment.ProcessorCount * 4 }.Create(new EnginePolicy(this));
        _quantiles = transformer.Model.TrainingScoreQuantiles?.ToArray() ?? [];
        var metadata = transformer.Model.Metadata;
        Info = new ModelInfo(path, sha256, DateTimeOffset.UtcNow, metadata.GetValueOrDefault(OnnxNames.VersionKey, "unknown"), Features,
            metadata.GetValueOrDefault(OnnxNames.ScoreKey, "unknown").Split(':')[0], transformer.Threshold,
            metadata.GetValueOrDefault(OnnxNames.ContentsKey, "not stated (a file from an older version of the library)"));
    }

    /// <summary>Feature values per row.</summary>
    public int Features { get; }

    /// <summary>What is loaded, for <c>GET /model</c>.</summary>
    public ModelInfo Info { get; }

    /// <summary>
    /// Loads <paramref name="path"/> (a file saved by <c>mlContext.Model.Save</c> holding one autoencoder stage) and scores
    /// a probe row with both paths, so a model that loads but cannot score never becomes current.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not such a model, or its rows are not <paramref name="features"/> long.</exception>
    public static LoadedModel Load(string path, int? features)
    {
        byte[] bytes = File.ReadAllBytes(path);
        using var stream = new MemoryStream(bytes);
        var loaded = new MLContext().Model.LoadWithAutoencoders(stream, out _);
        if (loaded is not AutoencoderTransformer transformer)
        {
            (loaded as IDisposable)?.Dispose();
            throw new InvalidDataException($"'{path}' holds a pipeline ({loaded.GetType().Name}), not one autoencoder stage saved by Autoencoders.ML.");
        }
        if (features is int expected && transformer.Model.InputSize != expected)
        {
            transformer.Dispose();
            throw new InvalidDataException($"'{path}' scores rows of {transformer.Model.InputSize} features; the model being served scores {expected}, and clients send that many.");
        }
        var model = new LoadedModel(transformer, path, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)));
        try
        {
            var probe = new float[model.Features];
            model.Score(probe, 1);
            model.Score([.. probe, .. probe], 2);
            return model;
        }
        catch
        {
            model.Release();
            throw;
        }
    }

    /// <summary>Takes a reference for one request; false once the model is disposed (the caller takes the current one again).</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            int current = Volatile.Read(ref _references);
            if (current == 0)
                return false;
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
                return true;
        }
    }

    /// <summary>Lets go of a reference; the last one disposes the model.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            (_engines as IDisposable)?.Dispose();   // the pool of disposable engines disposes the ones it holds
            _transformer.Dispose();
        }
    }

    /// <summary>Scores <paramref name="rows"/> rows laid out one after another in <paramref name="values"/>: one row through a pooled prediction engine, more through the batched transformer.</summary>
    public RowResult[] Score(float[] values, int rows)
    {
        var results = new RowResult[rows];
        if (rows == 1)
        {
            var engine = _engines.Get();
            try
            {
                var scored = engine.Predict(new Row { Features = values });
                results[0] = Result(scored.Score, scored.PredictedLabel);
            }
            finally
            {
                _engines.Return(engine);
            }
            return results;
        }
        var input = Enumerable.Range(0, rows).Select(r => new Row { Features = values.AsSpan(r * Features, Features).ToArray() });
        var view = _transformer.Transform(_context.Data.LoadFromEnumerable(input, _schema));
        using var cursor = view.GetRowCursor([view.Schema["Score"], view.Schema["PredictedLabel"]]);
        var score = cursor.GetGetter<float>(view.Schema["Score"]);
        var label = cursor.GetGetter<bool>(view.Schema["PredictedLabel"]);
        float s = 0;
        bool l = false;
        for (int r = 0; cursor.MoveNext(); r++)
        {
            score(ref s);
            label(ref l);
            results[r] = Result(s, l);
        }
        return results;
    }

    /// <summary>The share of training scores at or below <paramref name="score"/>, as the graph's Probability output computes it.</summary>
    private RowResult Result(float score, bool anomaly)
    {
        float? probability = _quantiles.Length == 0 ? null : UpperBound(_quantiles, score) / (float)_quantiles.Length;
        return new RowResult(score, anomaly, probability);
    }

    /// <summary>The number of sorted <paramref name="values"/> at or below <paramref name="x"/>.</summary>
    private static int UpperBound(float[] values, float x)
    {
        int low = 0, high = values.Length;
        while (low < high)
        {
            int middle = (low + high) / 2;
            if (values[middle] <= x)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }

    /// <summary>An input row.</summary>
    internal sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>What a prediction engine gives back.</summary>
    internal sealed class Scored
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class EnginePolicy(LoadedModel model) : PooledObjectPolicy<PredictionEngine<Row, Scored>>
    {
        public override PredictionEngine<Row, Scored> Create() =>
            model._context.Model.CreatePredictionEngine<Row, Scored>(model._transformer, inputSchemaDefinition: model._schema);

        public override bool Return(PredictionEngine<Row, Scored> engine) => true;
    }
}

/// <summary>
/// One row's result: <c>score</c>, <c>isAnomaly</c> (score above the threshold) and <c>probability</c> (share of training
/// rows scoring at or below it; null for a file from a version that stored no training scores).
/// </summary>
public readonly record struct RowResult(float Score, bool IsAnomaly, float? Probability);

/// <summary>What <c>GET /model</c> reports.</summary>
public sealed record ModelInfo(string Path, string Sha256, DateTimeOffset LoadedAt, string LibraryVersion, int Features, string ScoreKind, float Threshold, string Contents);
