namespace Autoencoders.Training.Data;

/// <summary>
/// Feature rows that training can read several times, one pass after another, always in the same order:
/// an in-memory <see cref="FeatureMatrix"/>, or a stream such as an ML.NET IDataView cursor, which need not fit in memory.
/// </summary>
public interface IRowSource
{
    /// <summary>Number of features in every row.</summary>
    int Columns { get; }

    /// <summary>Starts a pass over every row.</summary>
    IRowReader OpenReader();
}

/// <summary>One pass over an <see cref="IRowSource"/>.</summary>
public interface IRowReader : IDisposable
{
    /// <summary>Copies the next row into <paramref name="row"/> (length <see cref="IRowSource.Columns"/>); false after the last row.</summary>
    bool TryRead(Span<float> row);
}
