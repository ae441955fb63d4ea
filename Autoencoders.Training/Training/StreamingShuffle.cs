using Autoencoders.Training.Data;

namespace Autoencoders.Training.Training;

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
    private int _handedOut = -1; // the slot returned by the last Next, refilled (or dropped) by the next one
    private bool _exhausted;

    public StreamingShuffle(int capacity, int columns, Random random)
    {
        _capacity = capacity;
        _columns = columns;
        _random = random;
        _buffer = new float[(long)capacity * columns];
    }

    /// <summary>Forgets any buffered rows (at the start of a pass).</summary>
    public void Clear()
    {
        _count = 0;
        _handedOut = -1;
        _exhausted = false;
    }

    /// <summary>
    /// The next shuffled row, reading from <paramref name="read"/> as needed; empty when both are exhausted. The row is a
    /// view of the buffer, valid until the next call: its slot then takes the stream's next row, so no row is copied
    /// twice.
    /// </summary>
    public ReadOnlySpan<float> Next(Func<Span<float>, bool> read)
    {
        if (_handedOut >= 0)
        {
            if (!TryRead(read, Slot(_handedOut)))
            {
                _count--; // the stream has ended: close the gap with the last buffered row
                if (_handedOut != _count)
                    Slot(_count).CopyTo(Slot(_handedOut));
            }
            _handedOut = -1;
        }
        while (_count < _capacity && TryRead(read, Slot(_count)))
            _count++;
        if (_count == 0)
            return ReadOnlySpan<float>.Empty;
        _handedOut = _random.Next(_count);
        return Slot(_handedOut);
    }

    private bool TryRead(Func<Span<float>, bool> read, Span<float> slot)
    {
        if (!_exhausted && !read(slot))
            _exhausted = true;
        return !_exhausted;
    }

    private Span<float> Slot(int index) => _buffer.AsSpan(index * _columns, _columns);
}
