using Autoencoders.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Support;

/// <summary>An ML.NET row with a feature vector and an anomaly label.</summary>
internal sealed class FeatureRow
{
    public float[] Features { get; set; } = [];
    public float Label { get; set; }

    /// <summary>Loads rows as an IDataView whose Features column has the known size <paramref name="size"/>.</summary>
    public static IDataView Load(MLContext context, IEnumerable<FeatureRow> rows, int size)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return context.Data.LoadFromEnumerable(rows.ToList(), schema);
    }

    public static IEnumerable<FeatureRow> From(FeatureMatrix matrix, bool label) =>
        Enumerable.Range(0, matrix.Rows).Select(r => new FeatureRow { Features = matrix.Row(r).ToArray(), Label = label ? 1f : 0f });
}

/// <summary>The outputs of the anomaly stage read back from an IDataView.</summary>
internal sealed class ScoredRow
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
}
