using Autoencoders.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Data;

/// <summary>
/// The rows of an IDataView's vector column(s) as an <see cref="IRowSource"/>: each pass is a new cursor, rows are copied
/// into the caller's buffer (no allocation per row; several columns side by side), and rows with NaN or infinities are
/// rejected or skipped.
/// </summary>
internal sealed class DataViewRowSource : IRowSource
{
    private readonly IDataView _data;
    private readonly DataViewSchema.Column[] _columns;
    private readonly int _size;
    private readonly InvalidValueHandling _handling;
    private readonly Action<string>? _log;
    private bool _reported;

    public DataViewRowSource(IDataView data, string column, InvalidValueHandling handling, Action<string>? log)
        : this(data, [column], handling, log)
    {
    }

    /// <summary>Reads <paramref name="columns"/> (vectors of one size) side by side.</summary>
    public DataViewRowSource(IDataView data, string[] columns, InvalidValueHandling handling, Action<string>? log)
    {
        var sizes = columns.Select(c => FeatureColumn.GetSize(data.Schema, c, nameof(data))).ToArray();
        if (sizes.Distinct().Count() != 1)
            throw new ArgumentOutOfRangeException(nameof(data),
                $"Columns {string.Join(" and ", columns.Select((c, i) => $"'{c}' ({sizes[i]} values)"))} must have the same size.");
        _size = sizes[0];
        Columns = _size * columns.Length;
        _data = data;
        _columns = columns.Select(c => data.Schema[c]).ToArray();
        _handling = handling;
        _log = log;
    }

    public int Columns { get; }

    /// <summary>Rows seen and skipped by the last complete pass.</summary>
    public (long Rows, long Skipped) LastPass { get; private set; }

    public IRowReader OpenReader() => new Reader(this);

    private string Names => string.Join("' and '", _columns.Select(c => c.Name));

    private sealed class Reader : IRowReader
    {
        private readonly DataViewRowSource _source;
        private readonly DataViewRowCursor _cursor;
        private readonly ValueGetter<VBuffer<float>>[] _getters;
        private VBuffer<float> _buffer;
        private long _rows;
        private long _skipped;

        public Reader(DataViewRowSource source)
        {
            _source = source;
            _cursor = source._data.GetRowCursor(source._columns);
            _getters = source._columns.Select(c => _cursor.GetGetter<VBuffer<float>>(c)).ToArray();
        }

        public bool TryRead(Span<float> row)
        {
            while (_cursor.MoveNext())
            {
                long index = _rows++;
                for (int i = 0; i < _getters.Length; i++)
                {
                    _getters[i](ref _buffer);
                    if (_buffer.Length != _source._size)
                        throw new InvalidDataException(
                            $"Row {index} of column '{_source._columns[i].Name}' has {_buffer.Length} values; the column's type says {_source._size}. Every row must have that many.");
                    _buffer.CopyTo(row.Slice(i * _source._size, _source._size));
                }
                int bad = FiniteValues.IndexOfNonFinite(row);
                if (bad < 0)
                    return true;
                if (_source._handling == InvalidValueHandling.Throw)
                    throw new InvalidDataException(
                        $"Row {index} of column '{_source._columns[bad / _source._size].Name}' has {row[bad]} at feature {bad % _source._size}; every value must be a finite number. " +
                        "Clean or impute the data (e.g. mlContext.Transforms.ReplaceMissingValues), or set InvalidValueHandling = SkipRow.");
                _skipped++;
            }
            Finish();
            return false;
        }

        private void Finish()
        {
            _source.LastPass = (_rows, _skipped);
            if (_rows - _skipped == 0)
                throw new InvalidOperationException(_rows == 0
                    ? $"The training data is empty: column '{_source.Names}' has no rows."
                    : $"The training data has no usable rows: all {_rows} rows of column '{_source.Names}' had NaN or infinite values.");
            if (_skipped > 0 && !_source._reported)
            {
                _source._reported = true;
                _source._log?.Invoke($"Skipped {_skipped} of {_rows} training rows whose column '{_source.Names}' had NaN or infinite values.");
            }
        }

        public void Dispose() => _cursor.Dispose();
    }
}
