namespace Autoencoders.Training.Data;

/// <summary>A dense row-major matrix of single-precision features: one row per example.</summary>
public sealed class FeatureMatrix : IRowSource
{
    /// <summary>Wraps <paramref name="values"/> (row-major, <paramref name="rows"/> × <paramref name="columns"/>) without copying.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sizes are not positive or do not match the length of <paramref name="values"/>.</exception>
    public FeatureMatrix(float[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "The row count cannot be negative.");
        if (columns < 1)
            throw new ArgumentOutOfRangeException(nameof(columns), columns, "A matrix needs at least one column.");
        if ((long)rows * columns != values.LongLength)
            throw new ArgumentOutOfRangeException(nameof(values), values.Length, $"Expected {rows} × {columns} = {(long)rows * columns} values.");
        Values = values;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Copies jagged rows into a matrix.</summary>
    /// <exception cref="ArgumentException">The rows have different lengths.</exception>
    public static FeatureMatrix FromRows(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new ArgumentException("At least one row is needed.", nameof(rows));
        int columns = rows[0].Length;
        var values = new float[(long)rows.Count * columns];
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Length != columns)
                throw new ArgumentException($"Row {r} has {rows[r].Length} values; row 0 has {columns}.", nameof(rows));
            rows[r].CopyTo(values, (long)r * columns);
        }
        return new FeatureMatrix(values, rows.Count, columns);
    }

    /// <summary>The values, row-major.</summary>
    public float[] Values { get; }

    /// <summary>Number of rows (examples).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features).</summary>
    public int Columns { get; }

    /// <summary>One row as a span.</summary>
    public Span<float> Row(int row) => Values.AsSpan(row * Columns, Columns);

    /// <summary>Reads every row of <paramref name="source"/> into memory.</summary>
    public static FeatureMatrix Read(IRowSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int columns = source.Columns;
        var values = new float[columns * 1024];
        int rows = 0;
        using var reader = source.OpenReader();
        while (true)
        {
            if ((long)(rows + 1) * columns > values.Length)
                Array.Resize(ref values, checked(values.Length * 2));
            if (!reader.TryRead(values.AsSpan(rows * columns, columns)))
                break;
            rows++;
        }
        Array.Resize(ref values, rows * columns);
        return new FeatureMatrix(values, rows, columns);
    }

    /// <summary>A pass over the rows, in order.</summary>
    public IRowReader OpenReader() => new Reader(this);

    private sealed class Reader(FeatureMatrix matrix) : IRowReader
    {
        private int _next;

        public bool TryRead(Span<float> row)
        {
            if (_next >= matrix.Rows)
                return false;
            matrix.Row(_next++).CopyTo(row);
            return true;
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Throws if any value is NaN or infinite, naming the first offending row and column.</summary>
    /// <exception cref="InvalidDataException">A value is not finite.</exception>
    public void EnsureFinite(string description = "the data")
    {
        for (int r = 0; r < Rows; r++)
            FiniteValues.EnsureFinite(Row(r), r, description);
    }
}
