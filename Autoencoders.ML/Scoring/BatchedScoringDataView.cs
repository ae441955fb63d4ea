using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// The output of <see cref="AutoencoderTransformer.Transform"/>: the input's columns plus the autoencoder's, computed a
/// batch of rows at a time (one ONNX Runtime call per batch) instead of one call per row.
/// </summary>
/// <remarks>
/// A cursor reads up to a batch of rows ahead from one input cursor, keeping each row's features in the batch input and
/// its requested pass-through values in <see cref="ColumnBuffer"/>s; it scores the batch, then serves the rows in order.
/// One input cursor means every score belongs to the row it is served with, even for sources that can be read only once.
/// </remarks>
internal sealed class BatchedScoringDataView : IDataView
{
    private readonly IDataView _input;
    private readonly OnnxBatchScorer _scorer;
    private readonly int _batchSize;
    private readonly DataViewSchema.Column _feature;
    // For each output column (by schema index): the graph output it shows.
    private readonly Dictionary<int, string> _outputs;

    public BatchedScoringDataView(IDataView input, DataViewSchema schema, OnnxBatchScorer scorer, AutoencoderScoringOptions options)
    {
        _input = input;
        Schema = schema;
        _scorer = scorer;
        _batchSize = options.ScoringBatchSize;
        _feature = input.Schema[options.FeatureColumnName];
        _outputs = OnnxBatchScorer.OutputsBySchemaIndex(input.Schema, schema, options);
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
            active[column.Index] = true;
        var passThrough = Enumerable.Range(0, _input.Schema.Count).Where(i => active[i]).Select(i => _input.Schema[i]).ToList();
        var graphOutputs = _outputs.Where(o => active[o.Key]).Select(o => o.Value).Distinct().ToList();
        if (graphOutputs.Count == 0)
            return new Cursor(this, active, _input.GetRowCursor(passThrough), passThrough, graphOutputs);
        return new Cursor(this, active, _input.GetRowCursor(passThrough.Append(_feature).Distinct()), passThrough, graphOutputs);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchedScoringDataView _parent;
        private readonly bool[] _active;
        private readonly DataViewRowCursor _input;
        private readonly OnnxBatchScorer.Batch? _batch;
        private readonly ValueGetter<VBuffer<float>>? _features;
        private readonly Dictionary<int, ColumnBuffer> _buffers = [];
        private readonly ValueGetter<DataViewRowId>? _inputIds;
        private readonly DataViewRowId[] _ids;
        private VBuffer<float> _row;
        private int _rows;
        private int _index = -1;
        private long _position = -1;
        private bool _done;
        private bool _disposed;

        public Cursor(BatchedScoringDataView parent, bool[] active, DataViewRowCursor input, List<DataViewSchema.Column> passThrough, List<string> graphOutputs)
        {
            _parent = parent;
            _active = active;
            _input = input;
            _ids = [];
            if (graphOutputs.Count == 0)
                return;
            // Buffers for a batch, or for all the rows when the input says it has fewer (a request of a few rows in a service).
            int capacity = (int)Math.Clamp(parent._input.GetRowCount() ?? parent._batchSize, 1, parent._batchSize);
            _batch = parent._scorer.CreateBatch(capacity, graphOutputs);
            _features = input.GetGetter<VBuffer<float>>(parent._feature);
            foreach (var column in passThrough)
                _buffers[column.Index] = ColumnBuffer.Create(input, column, capacity);
            _inputIds = input.GetIdGetter();
            _ids = new DataViewRowId[capacity];
        }

        public override DataViewSchema Schema => _parent.Schema;
        public override long Position => _batch is null ? _input.Position : _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            _batch is null ? _input.GetIdGetter() : (ref DataViewRowId value) => value = _ids[_index];

        public override bool MoveNext()
        {
            if (_batch is null)
                return _input.MoveNext();
            if (++_index >= _rows && !Fill())
                return false;
            _position++;
            return true;
        }

        /// <summary>Reads the next batch of rows from the input and scores it; false when the input has no more rows.</summary>
        private bool Fill()
        {
            if (_done)
                return false;
            int size = _batch!.InputSize;
            _rows = 0;
            while (_rows < _batch.Capacity && _input.MoveNext())
            {
                _features!(ref _row);
                if (_row.Length != size)
                    throw new InvalidDataException(
                        $"Row {_input.Position} of column '{_parent._feature.Name}' has {_row.Length} values; the column's type and the model have {size}.");
                _row.CopyTo(_batch.Input.AsSpan(_rows * size, size));
                foreach (var buffer in _buffers.Values)
                    buffer.Read(_rows);
                _inputIds!(ref _ids[_rows]);
                _rows++;
            }
            _index = 0;
            if (_rows < _batch.Capacity)
                _done = true;
            if (_rows == 0)
                return false;
            _batch.Run(_rows);
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
            if (column.Index < _parent._input.Schema.Count)
                return _batch is null
                    ? _input.GetGetter<TValue>(_parent._input.Schema[column.Index])
                    : (ValueGetter<TValue>)_buffers[column.Index].Getter(() => _index);

            return (ValueGetter<TValue>)_batch!.Getter(_parent._outputs[column.Index], () => _index);
        }

        protected override void Dispose(bool disposing)
        {
            if (_disposed)
                return;
            if (disposing)
            {
                _input.Dispose();
                _batch?.Dispose();
            }
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
