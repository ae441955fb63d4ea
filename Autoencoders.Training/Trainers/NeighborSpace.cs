namespace Autoencoders.Training.Trainers;

/// <summary>
/// One space in which <see cref="NeighborScore"/> compares rows: the stored rows' vectors less their mean, row-major
/// (rows × <see cref="Width"/>), that mean, and the mean and standard deviation of the stored rows' own neighbour distances.
/// </summary>
/// <param name="Name">The space's name in the graph: <c>input</c>, <c>hidden</c> or <c>edges</c>.</param>
/// <param name="Reference">The stored vectors less <paramref name="Center"/>.</param>
/// <param name="Center">The stored vectors' mean, taken from them and from every query's.</param>
/// <param name="Width">Values per vector.</param>
/// <param name="Statistics">Mean and standard deviation of the stored rows' own neighbour distances.</param>
internal sealed record NeighborSpace(string Name, float[] Reference, float[] Center, int Width, (float Mean, float Deviation) Statistics)
{
    private static readonly string[] Names = ["input", "hidden", "edges"];

    /// <summary>The space of <paramref name="vectors"/> (<paramref name="count"/> × <paramref name="width"/>), centred in place; statistics not yet known.</summary>
    internal static NeighborSpace CenteredAt(int index, float[] vectors, int count, int width)
    {
        var sums = new double[width];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++)
                sums[j] += vectors[i * width + j];
        var center = sums.Select(v => (float)(v / count)).ToArray();
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++)
                vectors[i * width + j] -= center[j];
        return new NeighborSpace(Names[index], vectors, center, width, (0, 1));
    }
}
