using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ScoringService;

/// <summary>
/// A request's rows as an <see cref="IDataView"/> with one vector column: the first <c>rows × features</c> values of a
/// (pooled) array, read in place. <c>mlContext.Data.LoadFromEnumerable</c> would do the same, but it generates and
/// compiles new getter code for every view it makes — for every request, here — and copies each row into an array first.
/// </summary>
internal sealed class RequestRows : IDataView
{
    private readonly float[] _values;
    private readonly int _rows;
    private readonly int _features;

    public RequestRows(DataViewSchema schema, float[] values, int rows)
    {
        Schema = schema;
        _values = values;
        _rows = rows;
        _features = ((VectorDataViewType)schema[0].Type).Size;
    }

    /// <summary>The schema of such views: one column <paramref name="name"/>, a vector of <paramref name="features"/> Singles.</summary>
    public static DataViewSchema CreateSchema(string name, int features)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(name, new VectorDataViewType(NumberDataViewType.Single, features));
        return builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(RequestRows view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= view._rows)
            {
                _position = view._rows;
                return false;
            }
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index == 0;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != 0 || typeof(TValue) != typeof(VBuffer<float>))
                throw new ArgumentOutOfRangeException(nameof(column), $"The request's rows have one column, {view.Schema[0].Name}: a vector of Single.");
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, view._features);
                view._values.AsSpan(checked((int)_position * view._features), view._features).CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);
    }
}
