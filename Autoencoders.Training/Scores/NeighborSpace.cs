namespace Autoencoders.Training.Scores;

/// <summary>
/// One space in which <see cref="NeighborScore"/> compares rows: the stored vectors (prototypes, or training rows) less
/// their mean, row-major (vectors × <see cref="Width"/>), that mean, each vector's spread and member count, and the mean
/// and standard deviation of the summarized training rows' own (leave-one-out) neighbour distances.
/// </summary>
/// <param name="Name">The space's name in the graph: <c>input</c>, <c>hidden</c> or <c>edges</c>.</param>
/// <param name="Reference">The stored vectors less <paramref name="Center"/>.</param>
/// <param name="Center">The stored vectors' mean, taken from them and from every query's.</param>
/// <param name="Spreads">Per stored vector, the mean squared distance of its members to it (0 for a training row): added to a query's squared distance, it gives the mean squared distance to the members.</param>
/// <param name="Counts">Per stored vector, the training rows it stands for (1 for a training row).</param>
/// <param name="Statistics">Mean and standard deviation of the summarized training rows' own neighbour distances.</param>
internal sealed record NeighborSpace(string Name, float[] Reference, float[] Center, float[] Spreads, float[] Counts, (float Mean, float Deviation) Statistics)
{
    /// <summary>Values per vector.</summary>
    public int Width => Center.Length;

    /// <summary>Stored vectors.</summary>
    public int Count => Counts.Length;

    /// <summary>
    /// The space <paramref name="name"/> of <paramref name="vectors"/> (one per row, row-major) summarized by
    /// <paramref name="groups"/> (each row's group, 0 … <paramref name="count"/> − 1): each group's mean (in double precision),
    /// spread and member count, then centred on the means' mean; statistics not yet known.
    /// </summary>
    internal static NeighborSpace Summarized(string name, float[] vectors, int[] groups, int count)
    {
        int rows = groups.Length, width = vectors.Length / rows;
        var sums = new double[count * width];
        var counts = new float[count];
        for (int i = 0; i < rows; i++)
        {
            counts[groups[i]]++;
            for (int j = 0; j < width; j++)
                sums[groups[i] * width + j] += vectors[i * width + j];
        }
        var means = new double[count * width];
        for (int g = 0; g < count; g++)
            for (int j = 0; j < width; j++)
                means[g * width + j] = sums[g * width + j] / counts[g];
        var squares = new double[count];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < width; j++)
            {
                double gap = vectors[i * width + j] - means[groups[i] * width + j];
                squares[groups[i]] += gap * gap;
            }
        var center = new float[width];
        for (int j = 0; j < width; j++)
        {
            double total = 0;
            for (int g = 0; g < count; g++)
                total += means[g * width + j];
            center[j] = (float)(total / count);
        }
        var reference = new float[count * width];
        for (int g = 0; g < count; g++)
            for (int j = 0; j < width; j++)
                reference[g * width + j] = (float)means[g * width + j] - center[j];
        var spreads = squares.Select((s, g) => (float)(s / counts[g])).ToArray();
        return new NeighborSpace(name, reference, center, spreads, counts, (0, 1));
    }
}
