using Autoencoders.Training.Data;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// Shuffles a stream of rows through a buffer of fixed capacity: it keeps the buffer full and hands out a uniformly
/// chosen buffered row each time. Every row comes out exactly once; with a capacity at least the row count the order
/// is a uniform random permutation, with less it mixes rows within about a buffer's distance. Memory: capacity × columns floats.
/// </summary>
internal sealed class StreamingShuffle
{
    private readonly float[] _buffer;
    private readonly int _columns;
    private readonly int _capacity;
    private readonly Random _random;
    private int _count;

    public StreamingShuffle(int capacity, int columns, Random random)
    {
        _capacity = capacity;
        _columns = columns;
        _random = random;
        _buffer = new float[(long)capacity * columns];
    }

    /// <summary>Forgets any buffered rows (at the start of a pass).</summary>
    public void Clear() => _count = 0;

    /// <summary>Copies the next shuffled row into <paramref name="row"/>, reading from <paramref name="read"/> as needed; false when both are exhausted.</summary>
    public bool TryNext(Func<Span<float>, bool> read, Span<float> row)
    {
        while (_count < _capacity && read(Slot(_count)))
            _count++;
        if (_count == 0)
            return false;
        int chosen = _random.Next(_count);
        Slot(chosen).CopyTo(row);
        _count--;
        if (chosen != _count)
            Slot(_count).CopyTo(Slot(chosen));
        return true;
    }

    private Span<float> Slot(int index) => _buffer.AsSpan(index * _columns, _columns);
}
