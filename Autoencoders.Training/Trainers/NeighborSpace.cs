namespace Autoencoders.Training.Trainers;

/// <summary>
/// One space in which <see cref="NeighborScore"/> compares rows: the stored rows' vectors less their mean, row-major
/// (rows × <see cref="Width"/>), that mean, and the mean and standard deviation of the stored rows' own neighbour distances.
/// </summary>
/// <param name="Name">The space's name in the graph: <c>input</c>, <c>hidden</c> or <c>edges</c>.</param>
/// <param name="Reference">The stored vectors less <paramref name="Center"/>.</param>
/// <param name="Center">The stored vectors' mean, taken from them and from every query's.</param>
/// <param name="Statistics">Mean and standard deviation of the stored rows' own neighbour distances.</param>
internal sealed record NeighborSpace(string Name, float[] Reference, float[] Center, (float Mean, float Deviation) Statistics)
{
    /// <summary>Values per vector.</summary>
    public int Width => Center.Length;

    /// <summary>The space <paramref name="name"/> of <paramref name="vectors"/> (<paramref name="count"/> rows, row-major), centred in place; statistics not yet known.</summary>
    internal static NeighborSpace Centered(string name, float[] vectors, int count)
    {
        int width = vectors.Length / count;
        var sums = new double[width];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++)
                sums[j] += vectors[i * width + j];
        var center = sums.Select(v => (float)(v / count)).ToArray();
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++)
                vectors[i * width + j] -= center[j];
        return new NeighborSpace(name, vectors, center, (0, 1));
    }
}
