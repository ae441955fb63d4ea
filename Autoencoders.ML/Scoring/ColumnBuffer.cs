using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// The values of one input column for the rows of a batch, so that a cursor can read rows ahead (to score them together)
/// and still serve each row's pass-through values with its scores. Vectors are copied into buffers of their own.
/// </summary>
internal abstract class ColumnBuffer
{
    /// <summary>Creates the buffer for <paramref name="column"/> of <paramref name="cursor"/>, holding up to <paramref name="capacity"/> rows.</summary>
    public static ColumnBuffer Create(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
    {
        var raw = column.Type.RawType;
        var type = raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
            ? typeof(VectorBuffer<>).MakeGenericType(raw.GetGenericArguments()[0])
            : typeof(ValueBuffer<>).MakeGenericType(raw);
        return (ColumnBuffer)Activator.CreateInstance(type, cursor, column, capacity)!;
    }

    /// <summary>Reads the cursor's current row into slot <paramref name="slot"/>.</summary>
    public abstract void Read(int slot);

    /// <summary>A getter that serves slot <paramref name="slot"/>() (the row being served).</summary>
    public abstract Delegate Getter(Func<int> slot);

    /// <summary>Scalars, text and objects: the value itself is kept.</summary>
    private sealed class ValueBuffer<T>(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity) : ColumnBuffer
    {
        private readonly ValueGetter<T> _source = cursor.GetGetter<T>(column);
        private readonly T[] _values = new T[capacity];

        public override void Read(int slot) => _source(ref _values[slot]);

        public override Delegate Getter(Func<int> slot) => (ValueGetter<T>)((ref T value) => value = _values[slot()]);
    }

    /// <summary>Vectors: each slot owns its buffer, and the getter copies into the caller's.</summary>
    private sealed class VectorBuffer<T>(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity) : ColumnBuffer
    {
        private readonly ValueGetter<VBuffer<T>> _source = cursor.GetGetter<VBuffer<T>>(column);
        private readonly VBuffer<T>[] _values = new VBuffer<T>[capacity];

        public override void Read(int slot) => _source(ref _values[slot]);

        public override Delegate Getter(Func<int> slot) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[slot()].CopyTo(ref value));
    }
}
