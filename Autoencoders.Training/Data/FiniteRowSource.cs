namespace Autoencoders.Training.Data;

/// <summary>Wraps a row source so that every pass stops with an error naming the row and feature of a NaN or infinity.</summary>
internal sealed class FiniteRowSource(IRowSource inner, string description) : IRowSource
{
    public int Columns => inner.Columns;

    public IRowReader OpenReader() => new Reader(inner.OpenReader(), description);

    private sealed class Reader(IRowReader inner, string description) : IRowReader
    {
        private long _index;

        public bool TryRead(Span<float> row)
        {
            if (!inner.TryRead(row))
                return false;
            FiniteValues.EnsureFinite(row, _index, description);
            _index++;
            return true;
        }

        public void Dispose() => inner.Dispose();
    }
}
