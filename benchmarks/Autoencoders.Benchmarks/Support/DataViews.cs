using Autoencoders.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Benchmarks.Support;

/// <summary>Feature matrices as ML.NET IDataViews.</summary>
internal static class DataViews
{
    /// <summary>An IDataView over the rows (one float[] per row, made before any timing), column "Features" of known size.</summary>
    public static IDataView FromMatrix(MLContext context, FeatureMatrix matrix)
    {
        var rows = Enumerable.Range(0, matrix.Rows).Select(r => new Row { Features = matrix.Row(r).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, matrix.Columns);
        return context.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Reads a vector column back into a matrix.</summary>
    public static FeatureMatrix ToMatrix(IDataView data, string column) => FeatureMatrix.FromRows(data.GetColumn<float[]>(column).ToList());

    /// <summary>An input row for prediction engines and data views.</summary>
    public sealed class Row
    {
        public float[] Features { get; set; } = [];
    }
}
