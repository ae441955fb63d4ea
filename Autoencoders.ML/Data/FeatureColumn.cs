using Autoencoders.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Data;

/// <summary>Checks and reads the feature column: a known-size vector of <see cref="float"/>.</summary>
internal static class FeatureColumn
{
    /// <summary>The column's vector size, after checking that it exists and has the right type.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or not a known-size vector of Single.</exception>
    public static int GetSize(DataViewSchema schema, string column, string parameterName)
    {
        var found = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(parameterName,
                $"Feature column '{column}' was not found. The data has columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.");
        return GetSize(found.Type, column, parameterName);
    }

    /// <summary>The vector size of <paramref name="type"/>, after checking it is a known-size vector of Single.</summary>
    public static int GetSize(DataViewType type, string column, string parameterName)
    {
        if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(parameterName,
                $"Feature column '{column}' has type {type}; expected a vector of Single. Use mlContext.Transforms.Concatenate to build one from scalar columns and Conversion.ConvertType for other number types.");
        if (!vector.IsKnownSize)
            throw new ArgumentOutOfRangeException(parameterName,
                $"Feature column '{column}' is a variable-size vector; autoencoders need a known size. Give the column a fixed size (e.g. [VectorType(n)] or a loader column with a fixed range).");
        return vector.Size;
    }

    /// <summary>Reads every row of <paramref name="column"/> into a matrix, checking values are finite.</summary>
    /// <exception cref="InvalidDataException">A value is NaN or infinite and <paramref name="handling"/> is <see cref="InvalidValueHandling.Throw"/>.</exception>
    /// <exception cref="InvalidOperationException">No usable rows remain.</exception>
    public static FeatureMatrix Read(IDataView data, string column, InvalidValueHandling handling, Action<string>? log)
    {
        int size = GetSize(data.Schema, column, nameof(data));
        var values = new float[Math.Max(size, 1) * 256];
        int rows = 0;
        long skipped = 0;
        long rowIndex = -1;
        VBuffer<float> buffer = default;
        using (var cursor = data.GetRowCursor([data.Schema[column]]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[column]);
            while (cursor.MoveNext())
            {
                rowIndex++;
                getter(ref buffer);
                if ((long)(rows + 1) * size > values.Length)
                    Array.Resize(ref values, checked(values.Length * 2));
                var row = values.AsSpan(rows * size, size);
                buffer.CopyTo(row);
                int bad = IndexOfNonFinite(row);
                if (bad >= 0)
                {
                    if (handling == InvalidValueHandling.Throw)
                        throw new InvalidDataException(
                            $"Row {rowIndex} of column '{column}' has {row[bad]} at feature {bad}; every value must be a finite number. " +
                            "Clean or impute the data (e.g. mlContext.Transforms.ReplaceMissingValues), or set InvalidValueHandling = SkipRow.");
                    skipped++;
                    continue;
                }
                rows++;
            }
        }
        if (skipped > 0)
            log?.Invoke($"Skipped {skipped} of {rowIndex + 1} training rows whose column '{column}' had NaN or infinite values.");
        if (rows == 0)
            throw new InvalidOperationException(rowIndex < 0
                ? $"The training data is empty: column '{column}' has no rows."
                : $"The training data has no usable rows: all {rowIndex + 1} rows of column '{column}' had NaN or infinite values.");
        Array.Resize(ref values, rows * size);
        return new FeatureMatrix(values, rows, size);
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> row)
    {
        for (int i = 0; i < row.Length; i++)
            if (!float.IsFinite(row[i]))
                return i;
        return -1;
    }
}
