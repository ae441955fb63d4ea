using Autoencoders.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Scoring;

/// <summary>Computes the <see cref="SchemaShape"/> after an autoencoder stage, for estimators' GetOutputSchema.</summary>
internal static class OutputSchema
{
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

        var builder = new DataViewSchema.Builder();
        foreach (var (output, column) in options.OutputColumns())
        {
            DataViewType type = output switch
            {
                Training.Onnx.OnnxNames.Score => NumberDataViewType.Single,
                Training.Onnx.OnnxNames.PredictedLabel => BooleanDataViewType.Instance,
                // A SchemaShape records only that a vector has a known size, not the size: before training, 1 stands in.
                Training.Onnx.OnnxNames.Latent => new VectorDataViewType(NumberDataViewType.Single, latentSize ?? 1),
                _ => new VectorDataViewType(NumberDataViewType.Single, inputSize ?? 1),
            };
            builder.AddColumn(column, type);
        }
        var added = FromSchema(builder.ToSchema());
        var names = added.Select(c => c.Name).ToHashSet();
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(added));
    }

    // ML.NET keeps SchemaShape.Column's constructor and SchemaShape.Create internal; Create is the supported way
    // its own estimators turn a DataViewSchema into a shape, so it is called by reflection.
    internal static readonly Func<DataViewSchema, SchemaShape> FromSchema =
        typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public,
            [typeof(DataViewSchema)])?.CreateDelegate<Func<DataViewSchema, SchemaShape>>()
        ?? throw new InvalidOperationException("SchemaShape.Create(DataViewSchema) was not found; this Microsoft.ML version is not supported.");
}
