using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Data;

/// <summary>Checks the feature column: a known-size vector of <see cref="float"/>.</summary>
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
}
