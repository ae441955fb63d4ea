using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// The row-to-row mapper behind prediction engines: each input row is scored on its own (one ONNX Runtime call) the first
/// time one of the stage's columns is read, through the same session as batched scoring.
/// </summary>
internal sealed class AutoencoderRowMapper : IRowToRowMapper
{
    private readonly OnnxBatchScorer _scorer;
    private readonly DataViewSchema.Column _feature;
    // For each output column (by schema index): the graph output it shows.
    private readonly Dictionary<int, string> _outputs;

    public AutoencoderRowMapper(DataViewSchema input, DataViewSchema output, OnnxBatchScorer scorer, AutoencoderScoringOptions options)
    {
        InputSchema = input;
        OutputSchema = output;
        _scorer = scorer;
        _feature = input[options.FeatureColumnName];
        _outputs = OnnxBatchScorer.OutputsBySchemaIndex(input, output, options);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = dependingColumns.Where(c => c.Index < InputSchema.Count).Select(c => InputSchema[c.Index]).ToList();
        if (dependingColumns.Any(c => c.Index >= InputSchema.Count))
            needed.Add(_feature);
        return needed.Distinct();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        var active = new bool[OutputSchema.Count];
        foreach (var column in activeColumns)
            active[column.Index] = true;
        var graphOutputs = _outputs.Where(o => active[o.Key]).Select(o => o.Value).Distinct().ToList();
        return new Row(this, input, active, graphOutputs);
    }

    private sealed class Row : DataViewRow
    {
        private readonly AutoencoderRowMapper _parent;
        private readonly DataViewRow _input;
        private readonly bool[] _active;
        private readonly OnnxBatchScorer.Batch? _batch;
        private readonly ValueGetter<VBuffer<float>>? _features;
        private VBuffer<float> _row;
        private bool _scored;

        public Row(AutoencoderRowMapper parent, DataViewRow input, bool[] active, List<string> graphOutputs)
        {
            _parent = parent;
            _input = input;
            _active = active;
            if (graphOutputs.Count > 0)
            {
                _batch = parent._scorer.CreateBatch(1, graphOutputs);
                _features = input.GetGetter<VBuffer<float>>(parent._feature);
            }
        }

        public override DataViewSchema Schema => _parent.OutputSchema;
        public override long Position => _input.Position;
        public override long Batch => _input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        // Scores the input's current row, unless its features are the ones scored last (several columns of one row).
        private void Score()
        {
            _features!(ref _row);
            int size = _batch!.InputSize;
            if (_row.Length != size)
                throw new InvalidDataException(
                    $"Column '{_parent._feature.Name}' has {_row.Length} values in this row; the column's type and the model have {size}.");
            var input = _batch.Input.AsSpan(0, size);
            if (_scored && _row.IsDense && _row.GetValues().SequenceEqual(input))
                return;
            _row.CopyTo(input);
            _batch.Run(1);
            _scored = true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this row was created.");
            if (column.Index < _parent.InputSchema.Count)
                return _input.GetGetter<TValue>(_parent.InputSchema[column.Index]);

            return (ValueGetter<TValue>)_batch!.Getter(_parent._outputs[column.Index], () => 0, Score);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _batch?.Dispose();
            base.Dispose(disposing);
        }
    }
}
