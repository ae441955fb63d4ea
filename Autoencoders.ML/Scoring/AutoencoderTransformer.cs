using System.Globalization;
using Autoencoders.ML.Data;
using Autoencoders.ML.Interop;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// A fitted autoencoder stage. It scores through ONNX Runtime and adds the score, the anomaly flag and, when asked,
/// the reconstruction, latent code and per-feature errors.
/// </summary>
/// <remarks>
/// <para>Every output comes from the exported graph, one ONNX Runtime session per stage: cursors score
/// <see cref="AutoencoderScoringOptions.ScoringBatchSize"/> rows per call, prediction engines one row per call.</para>
/// <para><c>mlContext.Model.Save</c> stores it as a chain of ML.NET's built-in transformers (see <see cref="SavedForm"/>),
/// so <c>mlContext.Model.Load</c> restores it without this library, scoring one row per ONNX Runtime call (equal to the
/// batched scores up to float rounding); <c>mlContext.Model.LoadWithAutoencoders</c> restores this batched transformer
/// from the same file (identical scores). Dispose it to release the ONNX Runtime session.</para>
/// </remarks>
public sealed class AutoencoderTransformer : ITransformer, IDisposable
{
    private const string Component = "Autoencoder";
    private readonly OnnxBatchScorer _scorer;
    private readonly AutoencoderScoringOptions _options;
    private readonly IHostEnvironment _environment;
    private bool _disposed;

    /// <summary>
    /// Creates the stage and its ONNX Runtime session (on the requested GPU, or on CPU with a logged reason when it cannot be
    /// used); <paramref name="onCpu"/>: on CPU without trying, where the GPU's fallback was already reported.
    /// </summary>
    internal AutoencoderTransformer(IHostEnvironment environment, AutoencoderOnnxModel model, AutoencoderScoringOptions options, TrainingSummary? training,
        bool onCpu = false)
        : this(environment, CreateScorer(environment, model, options, onCpu), options, training)
    {
    }

    private AutoencoderTransformer(IHostEnvironment environment, OnnxBatchScorer scorer, AutoencoderScoringOptions options, TrainingSummary? training)
    {
        var missing = options.OutputColumns().FirstOrDefault(o => !scorer.Model.OutputNames.Contains(o.Output));
        if (missing.Output is not null)
        {
            scorer.Dispose();
            throw new InvalidOperationException($"The model has no '{missing.Output}' output, so column '{missing.Column}' cannot be produced." +
                (missing.Output == OnnxNames.ScoreFunction ? " The score function needs a denoiser trained with unclipped Gaussian noise as its only corruption." : ""));
        }
        _environment = environment;
        _options = options;
        _scorer = scorer;
        Training = training;
    }

    /// <summary>
    /// The session for <paramref name="model"/>, on the options' GPU or else the MLContext's (see
    /// <see cref="AutoencoderScoringOptions.GpuDeviceId"/>), or on CPU without trying any (<paramref name="onCpu"/>).
    /// </summary>
    internal static OnnxBatchScorer CreateScorer(IHostEnvironment environment, AutoencoderOnnxModel model, AutoencoderScoringOptions options, bool onCpu = false) =>
        OnnxBatchScorer.Create(model, onCpu ? null : RequestedGpu(environment, options), options.FallbackToCpu,
            message => Log.Warning(environment, Component, message));

    /// <summary>The GPU a stage asks for: its own option, else the MLContext's; <see langword="null"/> for CPU.</summary>
    internal static int? RequestedGpu(IHostEnvironment environment, AutoencoderScoringOptions options) =>
        options.GpuDeviceId ?? MLNetInternals.GpuDeviceId(environment);

    /// <summary>The exported autoencoder (batch graph) this stage scores with.</summary>
    public AutoencoderOnnxModel Model => _scorer.Model;

    /// <summary>The anomaly threshold: rows with a score above it get PredictedLabel = true.</summary>
    public float Threshold => Model.Threshold;

    /// <summary>The input column.</summary>
    public string FeatureColumnName => _options.FeatureColumnName;

    /// <summary>The GPU this stage scores on, or <see langword="null"/> for CPU (also after a fallback from an unavailable GPU).</summary>
    public int? ScoringGpuDeviceId => _scorer.GpuDeviceId;

    /// <summary>How training went (history, epochs, anomaly rate on the training rows); <see langword="null"/> for a model loaded from ONNX.</summary>
    public TrainingSummary? Training { get; }

    /// <summary>Always <see langword="true"/>: each output row depends on its input row only.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>Returns a transformer identical to this one but with another threshold; no retraining.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public AutoencoderTransformer WithThreshold(float threshold)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Rethresholded(threshold, rule: null);
    }

    /// <summary>This stage with another threshold (and its rule for the metadata; null: explicit).</summary>
    private AutoencoderTransformer Rethresholded(float threshold, string? rule) => new(_environment, Model.WithThreshold(threshold, rule), _options, Training);

    /// <summary>
    /// Returns a transformer identical to this one but with the threshold that at most <paramref name="contamination"/> of
    /// the training rows exceed (ties included), from the training scores the model carries (all of them, or 10,001 quantiles
    /// for more than 10,001 rows); no retraining. Survives save and load.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contamination"/> is outside (0, 0.5].</exception>
    /// <exception cref="InvalidOperationException">The model carries no training scores (saved by version 0.1).</exception>
    public AutoencoderTransformer WithContamination(double contamination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var scores = Model.TrainingScoreQuantiles ?? throw new InvalidOperationException(
            "This model carries no training scores (it was saved by version 0.1): use WithThreshold, or train it again.");
        return Rethresholded(AnomalyThreshold.FromContamination(scores, contamination), string.Create(CultureInfo.InvariantCulture, $"contamination={contamination:R}"));
    }

    /// <summary>
    /// Returns a transformer identical to this one but with the <paramref name="percentile"/>-th percentile (e.g. 99) of
    /// the validation rows' scores as its threshold, from the scores the model carries; no retraining. Survives save and load.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is outside (0, 100).</exception>
    /// <exception cref="InvalidOperationException">Training held out no validation rows, or the model was saved by version 0.1.</exception>
    public AutoencoderTransformer WithValidationPercentile(double percentile)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var scores = Model.ValidationScoreQuantiles ?? throw new InvalidOperationException(
            "This model carries no validation scores: train it with ValidationFraction above 0 (the anomaly detector's default).");
        return Rethresholded(AnomalyThreshold.FromPercentile(scores, percentile), string.Create(CultureInfo.InvariantCulture, $"validation_percentile={percentile:R}"));
    }

    /// <summary>
    /// The decoder alone as an ONNX model (input <c>Latent</c>, output <c>Reconstruction</c> in the original scale), cut
    /// out of this stage's graph: any ONNX Runtime host can decode codes from the <c>Latent</c> output, or samples.
    /// </summary>
    /// <exception cref="InvalidOperationException">The decoder has U-Net skip connections, so it cannot decode a code alone.</exception>
    public byte[] ExportDecoderOnnx() => Model.ExtractDecoder();

    /// <summary>
    /// Draws <paramref name="count"/> new rows (original scale) from a variational autoencoder: codes from its prior
    /// N(0, I), seeded, decoded by the decoder graph through ONNX Runtime.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not variational.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public float[][] Sample(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Model.Variational)
            throw new InvalidOperationException("Sampling from the prior needs a variational autoencoder (set Variational = true when training).");
        return DecoderSampler.Sample(Model, count, seed);
    }

    /// <summary>Writes the portable ONNX model (dynamic batch, input <c>Features</c>) that any ONNX Runtime host can score.</summary>
    public void SaveOnnx(string path) => Model.Save(path);

    /// <summary>Writes the portable ONNX model to <paramref name="stream"/>.</summary>
    public void SaveOnnx(Stream stream) => Model.Save(stream);

    /// <summary>The schema after this stage, checking the feature column first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or is not a vector of Single of the trained size.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return OutputSchema.Compute(inputSchema, _options, Model.InputSize, Model.LatentSize);
    }

    /// <summary>
    /// Adds the output columns to <paramref name="input"/> (lazily, like every ML.NET transform). Cursors score
    /// <see cref="AutoencoderScoringOptions.ScoringBatchSize"/> rows per ONNX Runtime call.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedScoringDataView(input, GetOutputSchema(input.Schema), _scorer, _options);
    }

    /// <summary>The row mapper used by prediction engines: one ONNX Runtime call per row.</summary>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        new AutoencoderRowMapper(inputSchema, GetOutputSchema(inputSchema), _scorer, _options);

    /// <summary>Saves as a chain of ML.NET's built-in transformers (see remarks on the class).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SavedForm.Save(_environment, Model, _options, ctx);
    }

    /// <summary>Releases the ONNX Runtime session; later use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        _scorer.Dispose();
    }

    private void CheckInput(DataViewSchema inputSchema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(inputSchema);
        int size = FeatureColumn.GetSize(inputSchema, _options.FeatureColumnName, nameof(inputSchema));
        if (size != Model.InputSize)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Feature column '{_options.FeatureColumnName}' has {size} values per row; this autoencoder was trained on {Model.InputSize}.");
    }
}
