using Autoencoders.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// The output of <see cref="AutoencoderTransformer.Transform"/>: the input's columns plus the autoencoder's, where
/// the autoencoder's are computed a batch of rows at a time (one ONNX Runtime call per batch) instead of ML.NET's one call per row.
/// </summary>
/// <remarks>
/// A cursor reads the feature column ahead through a second cursor over the input, scores a batch into reusable buffers,
/// and serves it row by row while the main input cursor supplies the pass-through columns; both cursors see the rows in
/// the same order, as ML.NET guarantees for unshuffled cursors. The schema is exactly the one the per-row path (the
/// saved form) produces, so both read the same.
/// </remarks>
internal sealed class BatchedScoringDataView : IDataView
{
    private readonly IDataView _input;
    private readonly OnnxBatchScorer _scorer;
    private readonly int _batchSize;
    private readonly float _threshold;
    private readonly DataViewSchema.Column _feature;
    // For each output column (by schema index): the graph output it shows, or PredictedLabel.
    private readonly Dictionary<int, string> _outputs;

    private BatchedScoringDataView(IDataView input, DataViewSchema schema, OnnxBatchScorer scorer, AutoencoderScoringOptions options,
        float threshold, Dictionary<int, string> outputs)
    {
        _input = input;
        Schema = schema;
        _scorer = scorer;
        _batchSize = options.ScoringBatchSize;
        _threshold = threshold;
        _feature = input.Schema[options.FeatureColumnName];
        _outputs = outputs;
    }

    /// <summary>
    /// Creates the view when <paramref name="schema"/> (the per-row path's output) is the input's columns followed by
    /// the autoencoder's, as it is unless an output column shadows an input column; otherwise returns null.
    /// </summary>
    public static BatchedScoringDataView? TryCreate(IDataView input, DataViewSchema schema, OnnxBatchScorer scorer,
        AutoencoderScoringOptions options, float threshold)
    {
        int inputCount = input.Schema.Count;
        if (schema.Count < inputCount)
            return null;
        for (int i = 0; i < inputCount; i++)
            if (schema[i].Name != input.Schema[i].Name || schema[i].IsHidden != input.Schema[i].IsHidden || !schema[i].Type.Equals(input.Schema[i].Type))
                return null;
        var columns = options.OutputColumns().ToDictionary(o => o.Column, o => o.Output);
        var outputs = new Dictionary<int, string>();
        for (int i = inputCount; i < schema.Count; i++)
        {
            if (schema[i].IsHidden || !columns.TryGetValue(schema[i].Name, out var output))
                return null;
            outputs[i] = output;
        }
        return outputs.Count == columns.Count ? new BatchedScoringDataView(input, schema, scorer, options, threshold, outputs) : null;
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
        // The label is derived from the score, so an active label needs the score computed.
        var graphOutputs = _outputs.Where(o => active[o.Key]).Select(o => o.Value == OnnxNames.PredictedLabel ? OnnxNames.Score : o.Value)
            .Distinct().ToList();
        return new Cursor(this, active, _input.GetRowCursor(passThrough), graphOutputs);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchedScoringDataView _parent;
        private readonly bool[] _active;
        private readonly DataViewRowCursor _main;
        private readonly DataViewRowCursor? _features;
        private readonly ValueGetter<VBuffer<float>>? _featureGetter;
        private readonly OnnxBatchScorer.Batch? _batch;
        private readonly List<string> _graphOutputs;
        private VBuffer<float> _row;
        private int _rows;
        private int _index = -1;
        private bool _disposed;

        public Cursor(BatchedScoringDataView parent, bool[] active, DataViewRowCursor main, List<string> graphOutputs)
        {
            _parent = parent;
            _active = active;
            _main = main;
            _graphOutputs = graphOutputs;
            if (graphOutputs.Count > 0)
            {
                _features = parent._input.GetRowCursor([parent._feature]);
                _featureGetter = _features.GetGetter<VBuffer<float>>(parent._feature);
                _batch = parent._scorer.CreateBatch(parent._batchSize, graphOutputs);
            }
        }

        public override DataViewSchema Schema => _parent.Schema;
        public override long Position => _main.Position;
        public override long Batch => _main.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (!_main.MoveNext())
                return false;
            if (_batch is not null && ++_index >= _rows)
                Fill();
            return true;
        }

        private void Fill()
        {
            int size = _batch!.InputSize;
            _rows = 0;
            while (_rows < _batch.Capacity && _features!.MoveNext())
            {
                _featureGetter!(ref _row);
                _row.CopyTo(_batch.Input.AsSpan(_rows * size, size));
                _rows++;
            }
            if (_rows == 0)
                throw new InvalidOperationException(
                    $"The input produced fewer rows for column '{_parent._feature.Name}' than for its other columns; it must return the same rows to every cursor.");
            _batch.Run(_rows);
            _index = 0;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
            if (column.Index < _parent._input.Schema.Count)
                return _main.GetGetter<TValue>(_parent._input.Schema[column.Index]);

            string output = _parent._outputs[column.Index];
            if (output == OnnxNames.PredictedLabel)
            {
                var scores = _batch!.Outputs[_graphOutputs.IndexOf(OnnxNames.Score)];
                float threshold = _parent._threshold;
                ValueGetter<bool> label = (ref bool value) => value = scores[_index] > threshold;
                return (ValueGetter<TValue>)(Delegate)label;
            }
            int slot = _graphOutputs.IndexOf(output);
            var buffer = _batch!.Outputs[slot];
            if (output == OnnxNames.Score)
            {
                ValueGetter<float> score = (ref float value) => value = buffer[_index];
                return (ValueGetter<TValue>)(Delegate)score;
            }
            int width = _batch.Width(slot);
            ValueGetter<VBuffer<float>> vector = (ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, width);
                buffer.AsSpan(_index * width, width).CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)vector;
        }

        protected override void Dispose(bool disposing)
        {
            if (_disposed)
                return;
            if (disposing)
            {
                _main.Dispose();
                _features?.Dispose();
                _batch?.Dispose();
            }
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
