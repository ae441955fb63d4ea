using Autoencoders.Training.Onnx;
using Autoencoders.Training.Trainers;

namespace Autoencoders.ML.Scoring;

/// <summary>Which columns an autoencoder stage reads and writes, and where ONNX Runtime scores.</summary>
public class AutoencoderScoringOptions
{
    /// <summary>Input column: a known-size vector of Single. Default <c>"Features"</c>.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>
    /// Output column for the anomaly score (Single, mean squared error per feature in standardized space), or
    /// <see langword="null"/> to leave it out. Default <c>"Score"</c>.
    /// </summary>
    public string? ScoreColumnName { get; set; } = "Score";

    /// <summary>
    /// Output column for the anomaly flag (Boolean, Score &gt; threshold), or <see langword="null"/> to leave it out;
    /// needs <see cref="ScoreColumnName"/>. Default <c>"PredictedLabel"</c>.
    /// </summary>
    public string? PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>
    /// Output column for the probability-like score (Single in [0, 1]): the share of training rows that score at or below
    /// the row (the training scores' empirical distribution function), so a business rule can say "flag above 0.99". Or
    /// <see langword="null"/> (default) to leave it out. Models saved before version 0.2 lack it.
    /// </summary>
    public string? ProbabilityColumnName { get; set; }

    /// <summary>Output column for the reconstruction in the original scale, or <see langword="null"/> (default) to leave it out.</summary>
    public string? ReconstructionColumnName { get; set; }

    /// <summary>Output column for the latent code, or <see langword="null"/> (default) to leave it out.</summary>
    public string? LatentColumnName { get; set; }

    /// <summary>Output column for the per-feature squared errors (which inputs made a row anomalous), or <see langword="null"/> (default).</summary>
    public string? FeatureErrorsColumnName { get; set; }

    /// <summary>
    /// Output column for (restored − input) / σ², or <see langword="null"/> (default). Only for a model trained with unclipped
    /// Gaussian noise of standard deviation σ as its only corruption. For small σ this estimates the score (gradient of the
    /// log-density) of the data distribution at each row (Alain &amp; Bengio 2014): it points from the row towards where the
    /// training data is denser. The estimate is biased by O(σ²) and only meaningful near the training data.
    /// </summary>
    public string? ScoreFunctionColumnName { get; set; }

    /// <summary>
    /// GPU for ONNX Runtime scoring, or <see langword="null"/> (default) for the MLContext's <c>GpuDeviceId</c> (itself
    /// null, i.e. CPU, by default). Needs the Microsoft.ML.OnnxRuntime.Gpu package in place of Microsoft.ML.OnnxRuntime (see README).
    /// </summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>
    /// When a GPU is asked for (scoring, or a CUDA <c>TrainingDevice</c>) but cannot be used: <see langword="true"/> (default)
    /// runs on CPU with a warning on the MLContext's log that gives the reason, <see langword="false"/> throws.
    /// </summary>
    public bool FallbackToCpu { get; set; } = AutoencoderDefaults.FallbackToCpu;

    /// <summary>
    /// Rows scored per ONNX Runtime call when an IDataView is transformed and read through a cursor, from 1 to
    /// <see cref="MaxScoringBatchSize"/>. Default 256. Prediction engines score one row at a time regardless.
    /// </summary>
    public int ScoringBatchSize { get; set; } = AutoencoderDefaults.ScoringBatchSize;

    /// <summary>The largest <see cref="ScoringBatchSize"/>: 65,536 rows.</summary>
    public const int MaxScoringBatchSize = 1 << 16;

    /// <summary>A copy (with its own arrays and objects), which a stage keeps: later changes to this object do not reach it.</summary>
    internal AutoencoderScoringOptions Clone()
    {
        var copy = (AutoencoderScoringOptions)MemberwiseClone();
        copy.OwnReferences();
        return copy;
    }

    /// <summary>A copy of the scoring settings alone: what a fitted stage keeps.</summary>
    internal AutoencoderScoringOptions CopyScoring()
    {
        var copy = ScoringColumns.From(this).ToOptions();
        copy.GpuDeviceId = GpuDeviceId;
        copy.FallbackToCpu = FallbackToCpu;
        return copy;
    }

    /// <summary>Replaces the arrays and objects a shallow copy shares with its original by copies of them.</summary>
    private protected virtual void OwnReferences()
    {
    }

    /// <summary>Checks names and device settings, naming the first one that is wrong.</summary>
    internal virtual void Validate()
    {
        if (ScoringBatchSize is < 1 or > MaxScoringBatchSize)
            throw new ArgumentOutOfRangeException(nameof(ScoringBatchSize), ScoringBatchSize, $"ScoringBatchSize must be from 1 to {MaxScoringBatchSize}.");
        ArgumentException.ThrowIfNullOrWhiteSpace(FeatureColumnName, nameof(FeatureColumnName));
        if (PredictedLabelColumnName is not null && ScoreColumnName is null)
            throw new ArgumentException("PredictedLabelColumnName needs ScoreColumnName: the label is Score > threshold.", nameof(ScoreColumnName));
        if (GpuDeviceId is < 0)
            throw new ArgumentOutOfRangeException(nameof(GpuDeviceId), GpuDeviceId, "GpuDeviceId cannot be negative.");
        var outputs = OutputColumns().ToList();
        if (outputs.Count == 0)
            throw new ArgumentException("No output column is set: set at least one of the *ColumnName options.");
        foreach (var (_, column) in outputs)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(column);
            if (column.StartsWith(OnnxNames.ReservedPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"Column names may not start with '{OnnxNames.ReservedPrefix}': '{column}'.");
        }
        var duplicate = outputs.GroupBy(o => o.Column).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Output column name '{duplicate.Key}' is used for {string.Join(" and ", duplicate.Select(d => d.Output))}.");
    }

    /// <summary>Pairs of (graph output, column name) for the outputs this stage writes.</summary>
    internal IEnumerable<(string Output, string Column)> OutputColumns()
    {
        if (ReconstructionColumnName is not null)
            yield return (OnnxNames.Reconstruction, ReconstructionColumnName);
        if (LatentColumnName is not null)
            yield return (OnnxNames.Latent, LatentColumnName);
        if (FeatureErrorsColumnName is not null)
            yield return (OnnxNames.FeatureErrors, FeatureErrorsColumnName);
        if (ScoreFunctionColumnName is not null)
            yield return (OnnxNames.ScoreFunction, ScoreFunctionColumnName);
        if (ScoreColumnName is not null)
            yield return (OnnxNames.Score, ScoreColumnName);
        if (ProbabilityColumnName is not null)
            yield return (OnnxNames.Probability, ProbabilityColumnName);
        if (PredictedLabelColumnName is not null)
            yield return (OnnxNames.PredictedLabel, PredictedLabelColumnName);
    }
}
