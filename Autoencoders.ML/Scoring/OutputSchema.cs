using Autoencoders.ML.Data;
using Autoencoders.ML.Interop;
using Autoencoders.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Scoring;

/// <summary>The schema after an autoencoder stage: the input's columns, then the stage's outputs (which hide input columns of the same name).</summary>
internal static class OutputSchema
{
    /// <summary>The schema a transformer produces for <paramref name="input"/>.</summary>
    /// <param name="input">The input schema (already checked).</param>
    /// <param name="options">Columns the stage writes.</param>
    /// <param name="inputSize">Feature count.</param>
    /// <param name="latentSize">Latent size.</param>
    public static DataViewSchema Compute(DataViewSchema input, AutoencoderScoringOptions options, int inputSize, int latentSize)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        AddOutputs(builder, options, inputSize, latentSize);
        return builder.ToSchema();
    }

    /// <summary>The schema shape an estimator produces, for GetOutputSchema before training (sizes not yet known).</summary>
    /// <param name="input">Schema shape before the stage.</param>
    /// <param name="options">Columns the stage reads and writes.</param>
    /// <param name="inputSize">Expected feature count, or null when not yet known (before training).</param>
    /// <param name="latentSize">Latent size, or null when not yet known.</param>
    public static SchemaShape Compute(SchemaShape input, AutoencoderScoringOptions options, int? inputSize, int? latentSize)
    {
        ArgumentNullException.ThrowIfNull(input);
        var feature = input.FirstOrDefault(c => c.Name == options.FeatureColumnName);
        if (feature.Name is null)
            throw new ArgumentOutOfRangeException(nameof(input),
                $"Feature column '{options.FeatureColumnName}' was not found. The data has columns: {string.Join(", ", input.Select(c => $"'{c.Name}'"))}.");
        if (feature.Kind != SchemaShape.Column.VectorKind.Vector || feature.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(input),
                $"Feature column '{options.FeatureColumnName}' must be a known-size vector of Single, not {feature.Kind} of {feature.ItemType}.");

        // A SchemaShape records only that a vector has a known size, not the size: before training, 1 stands in.
        var builder = new DataViewSchema.Builder();
        AddOutputs(builder, options, inputSize ?? 1, latentSize ?? 1);
        var added = MLNetInternals.ShapeOf(builder.ToSchema());
        var names = added.Select(c => c.Name).ToHashSet();
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(added));
    }

    private static void AddOutputs(DataViewSchema.Builder builder, AutoencoderScoringOptions options, int inputSize, int latentSize)
    {
        foreach (var (output, column) in options.OutputColumns())
            builder.AddColumn(column, output switch
            {
                OnnxNames.Score or OnnxNames.Probability => NumberDataViewType.Single,
                OnnxNames.PredictedLabel => BooleanDataViewType.Instance,
                OnnxNames.Latent => new VectorDataViewType(NumberDataViewType.Single, latentSize),
                _ => new VectorDataViewType(NumberDataViewType.Single, inputSize),
            });
    }
}
