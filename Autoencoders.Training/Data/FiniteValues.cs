using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Autoencoders.Training.Data;

/// <summary>Finds NaN and infinite values in a row, eight at a time.</summary>
public static class FiniteValues
{
    /// <summary>Throws, naming the row and the feature, if <paramref name="row"/> holds a NaN or infinite value.</summary>
    /// <exception cref="InvalidDataException">A value is not finite.</exception>
    public static void EnsureFinite(ReadOnlySpan<float> row, long index, string description)
    {
        if (IndexOfNonFinite(row) is var c && c >= 0)
            throw new InvalidDataException($"Row {index} of {description} has {row[c]} at feature {c}; every value must be a finite number.");
    }

    /// <summary>The index of the first NaN or infinite value in <paramref name="values"/>, or −1 when all are finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs per row while reading data: vectorized from the first row
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // x − x is 0 for finite x and NaN for NaN and ±∞; NaN ≠ 0.
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var block = Vector256.Create(values[i..]);
                if (!Vector256.EqualsAll(block - block, Vector256<float>.Zero))
                    break; // the scalar loop below finds which one
            }
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                return i;
        return -1;
    }
}
