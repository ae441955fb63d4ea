using System.Text.Json.Serialization;
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
    private readonly DataViewSchema _rowsSchema;
    private readonly ObjectPool<Engine> _engines;
    private readonly float[] _quantiles;
    private readonly object _queueGate = new();
    private List<WaitingRow> _queue = [];
    private bool _draining;
    private int _references = 1;

    private LoadedModel(AutoencoderTransformer transformer, string path, string sha256)
    {
        _transformer = transformer;
        Features = transformer.Model.InputSize;
        _schema = SchemaDefinition.Create(typeof(Row));
        _schema[nameof(Row.Features)].ColumnName = transformer.FeatureColumnName;
        _schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Features);
        _rowsSchema = RequestRows.CreateSchema(transformer.FeatureColumnName, Features);
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
            model.ScoreWithEngine(probe);
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

    /// <summary>
    /// Scores one row (the first <see cref="Features"/> values of <paramref name="values"/>). One-row requests that arrive
    /// while others are being scored wait and are scored together in one batched run: ONNX Runtime's cost per run is
    /// mostly fixed (a run of four rows costs about twice one row's), so under load this does more with the same cores.
    /// A request that arrives when nothing is being scored is scored at once, through a pooled prediction engine.
    /// </summary>
    public Task<RowResult> ScoreOneAsync(float[] values)
    {
        var waiting = new WaitingRow(values.AsSpan(0, Features).ToArray());
        bool lead;
        lock (_queueGate)
        {
            _queue.Add(waiting);
            lead = !_draining;
            _draining = true;
        }
        if (lead)
            Drain();
        return waiting.Result.Task;
    }

    // Scores the rows waiting now; if more arrived meanwhile, a thread-pool item scores those next (this request answers now).
    private void Drain()
    {
        List<WaitingRow> batch;
        lock (_queueGate)
            (batch, _queue) = (_queue, []);
        try
        {
            if (batch.Count == 1)
                batch[0].Result.TrySetResult(ScoreWithEngine(batch[0].Row));
            else
            {
                var values = new float[batch.Count * Features];
                for (int r = 0; r < batch.Count; r++)
                    batch[r].Row.CopyTo(values, r * Features);
                var results = Score(values, batch.Count);
                for (int r = 0; r < batch.Count; r++)
                    batch[r].Result.TrySetResult(results[r]);
            }
        }
        catch (Exception e)
        {
            foreach (var waiting in batch)
                waiting.Result.TrySetException(e);
        }
        lock (_queueGate)
        {
            if (_queue.Count == 0)
            {
                _draining = false;
                return;
            }
        }
        ThreadPool.UnsafeQueueUserWorkItem(static model => model.Drain(), this, preferLocal: false);
    }

    private RowResult ScoreWithEngine(float[] row)
    {
        var engine = _engines.Get();
        try
        {
            row.AsSpan(0, Features).CopyTo(engine.Row.Features);
            var scored = engine.Predictions.Predict(engine.Row);
            return Result(scored.Score, scored.PredictedLabel);
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    /// <summary>
    /// Scores the first <paramref name="rows"/> rows laid out one after another in <paramref name="values"/> (which may be
    /// longer) through the batched transformer.
    /// </summary>
    public RowResult[] Score(float[] values, int rows)
    {
        var results = new RowResult[rows];
        var view = _transformer.Transform(new RequestRows(_rowsSchema, values, rows));
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

    private sealed class WaitingRow(float[] row)
    {
        public float[] Row { get; } = row;
        public TaskCompletionSource<RowResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

    /// <summary>A prediction engine and the input row it reads (its own array, filled for each prediction).</summary>
    private sealed class Engine(PredictionEngine<Row, Scored> predictions, int features) : IDisposable
    {
        public PredictionEngine<Row, Scored> Predictions { get; } = predictions;
        public Row Row { get; } = new() { Features = new float[features] };

        public void Dispose() => Predictions.Dispose();
    }

    private sealed class EnginePolicy(LoadedModel model) : PooledObjectPolicy<Engine>
    {
        public override Engine Create() =>
            new(model._context.Model.CreatePredictionEngine<Row, Scored>(model._transformer, inputSchemaDefinition: model._schema), model.Features);

        public override bool Return(Engine engine) => true;
    }
}

/// <summary>
/// One row's result: <c>score</c>, <c>isAnomaly</c> (score above the threshold) and <c>probability</c> (share of training
/// rows scoring at or below it; null for a file from a version that stored no training scores). A row the model cannot
/// measure (values so large that its squared distances overflow float32) scores +∞, as in process; JSON has no
/// infinity, so the score is then written as System.Text.Json's named literal, the string <c>"Infinity"</c>.
/// </summary>
public readonly record struct RowResult(
    [property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)] float Score, bool IsAnomaly, float? Probability);

/// <summary>What <c>GET /model</c> reports.</summary>
public sealed record ModelInfo(string Path, string Sha256, DateTimeOffset LoadedAt, string LibraryVersion, int Features, string ScoreKind, float Threshold, string Contents);
