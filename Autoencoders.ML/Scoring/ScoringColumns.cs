using System.Text.Json;

namespace Autoencoders.ML.Scoring;

/// <summary>The column settings of a scoring stage, as recorded inside its saved one-row graph.</summary>
internal sealed record ScoringColumns(string Feature, string? Score, string? PredictedLabel, string? Reconstruction, string? Latent,
    string? FeatureErrors, string? ScoreFunction, int ScoringBatchSize, string? Probability = null)
{
    public static ScoringColumns From(AutoencoderScoringOptions options) => new(options.FeatureColumnName, options.ScoreColumnName,
        options.PredictedLabelColumnName, options.ReconstructionColumnName, options.LatentColumnName, options.FeatureErrorsColumnName, options.ScoreFunctionColumnName,
        options.ScoringBatchSize, options.ProbabilityColumnName);

    public AutoencoderScoringOptions ToOptions() => new()
    {
        FeatureColumnName = Feature,
        ScoreColumnName = Score,
        PredictedLabelColumnName = PredictedLabel,
        ReconstructionColumnName = Reconstruction,
        LatentColumnName = Latent,
        FeatureErrorsColumnName = FeatureErrors,
        ScoreFunctionColumnName = ScoreFunction,
        ScoringBatchSize = ScoringBatchSize,
        ProbabilityColumnName = Probability,
    };

    public string ToJson() => JsonSerializer.Serialize(this);

    public static ScoringColumns FromJson(string json) =>
        JsonSerializer.Deserialize<ScoringColumns>(json) ?? throw new InvalidDataException("The saved scoring graph has no column settings.");
}
