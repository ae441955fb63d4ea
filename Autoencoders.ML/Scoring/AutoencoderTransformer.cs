using Autoencoders.ML.Data;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// A fitted autoencoder stage. It scores through ONNX Runtime and adds the score, the anomaly flag and, when asked,
/// the reconstruction, latent code and per-feature errors.
/// </summary>
/// <remarks>
/// <c>mlContext.Model.Save</c> stores it as a chain of ML.NET's built-in transformers (the ONNX transformer holding the
/// one-row scoring graph, then the steps of <see cref="ScoreColumn"/>), so <c>mlContext.Model.Load</c> restores it without
/// this library, scoring one row per ONNX Runtime call (equal to the batched scores up to float rounding);
/// <c>mlContext.Model.LoadWithAutoencoders</c> restores this batched transformer from the same file (identical scores).
/// </remarks>
public sealed class AutoencoderTransformer : ITransformer, IDisposable
{
    private readonly ITransformer _scorer;
    private readonly OnnxBatchScorer _batchScorer;
    private readonly AutoencoderScoringOptions _options;
    private readonly IHostEnvironment _environment;

    internal AutoencoderTransformer(IHostEnvironment environment, AutoencoderOnnxModel model, AutoencoderScoringOptions options, TrainingSummary? training)
    {
        _environment = environment;
        _options = options;
        Model = model;
        Training = training;
        int? gpu = OnnxScorer.ResolveGpu(options.GpuDeviceId, options.FallbackToCpu, environment);
        _scorer = OnnxScorer.Create(RowScoringGraph.Create(model, options), model.InputSize, model.Threshold, options, gpu);
        _batchScorer = new OnnxBatchScorer(model, gpu);
    }

    /// <summary>The exported autoencoder (batch graph) this stage scores with.</summary>
    public AutoencoderOnnxModel Model { get; }

    /// <summary>The anomaly threshold: rows with a score above it get PredictedLabel = true.</summary>
    public float Threshold => Model.Threshold;

    /// <summary>The input column.</summary>
    public string FeatureColumnName => _options.FeatureColumnName;

    /// <summary>How training went (history, epochs, anomaly rate on the training rows); <see langword="null"/> for a model loaded from ONNX.</summary>
    public TrainingSummary? Training { get; }

    /// <summary>Always <see langword="true"/>: each output row depends on its input row only.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>Returns a transformer identical to this one but with another threshold; no retraining.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN or infinite.</exception>
    public AutoencoderTransformer WithThreshold(float threshold) =>
        new(_environment, Model.WithThreshold(threshold), _options, Training);

    /// <summary>Writes the portable ONNX model (dynamic batch, input <c>Features</c>) that any ONNX Runtime host can score.</summary>
    public void SaveOnnx(string path) => Model.Save(path);

    /// <summary>Writes the portable ONNX model to <paramref name="stream"/>.</summary>
    public void SaveOnnx(Stream stream) => Model.Save(stream);

    /// <summary>The schema after this stage, checking the feature column first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or is not a vector of Single of the trained size.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return _scorer.GetOutputSchema(inputSchema);
    }

    /// <summary>
    /// Adds the output columns to <paramref name="input"/> (lazily, like every ML.NET transform). Cursors score
    /// <see cref="AutoencoderScoringOptions.ScoringBatchSize"/> rows per ONNX Runtime call.
    /// </summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        var schema = _scorer.GetOutputSchema(input.Schema);
        return (IDataView?)BatchedScoringDataView.TryCreate(input, schema, _batchScorer, _options, Model.Threshold) ?? _scorer.Transform(input);
    }

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        _batchScorer.Dispose();
        (_scorer as IDisposable)?.Dispose();
    }

    /// <summary>The row mapper used by prediction engines.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return _scorer.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Saves as a chain of ML.NET's built-in transformers (see remarks on the class).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _scorer.Save(ctx);

    private void CheckInput(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        int size = FeatureColumn.GetSize(inputSchema, _options.FeatureColumnName, nameof(inputSchema));
        if (size != Model.InputSize)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Feature column '{_options.FeatureColumnName}' has {size} values per row; this autoencoder was trained on {Model.InputSize}.");
    }
}
