using Autoencoders.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Benchmarks.Support;

/// <summary>Seeded image-sized rows for throughput runs: a low-rank signal plus noise, so the autoencoder has something to learn.</summary>
internal static class SyntheticRows
{
    public static FeatureMatrix Create(int rows, int features, int seed, int rank = 16)
    {
        var random = new Random(seed);
        var basis = new float[rank * features];
        for (int i = 0; i < basis.Length; i++)
            basis[i] = (float)(random.NextDouble() * 2 - 1);
        var values = new float[(long)rows * features];
        var code = new float[rank];
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < rank; k++)
                code[k] = (float)(random.NextDouble() * 2 - 1);
            var row = values.AsSpan(r * features, features);
            for (int c = 0; c < features; c++)
            {
                float x = 0.1f * (float)(random.NextDouble() - 0.5);
                for (int k = 0; k < rank; k++)
                    x += code[k] * basis[k * features + c];
                row[c] = x;
            }
        }
        return new FeatureMatrix(values, rows, features);
    }

    /// <summary>An IDataView over the rows (one float[] per row, made before any timing), column "Features" of known size.</summary>
    public static IDataView ToDataView(MLContext context, FeatureMatrix matrix)
    {
        var rows = Enumerable.Range(0, matrix.Rows).Select(r => new Row { Features = matrix.Row(r).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, matrix.Columns);
        return context.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>An input row for prediction engines and data views.</summary>
    public sealed class Row
    {
        public float[] Features { get; set; } = [];
    }
}
