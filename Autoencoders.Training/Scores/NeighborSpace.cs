namespace Autoencoders.Training.Scores;

/// <summary>
/// One space in which <see cref="NeighborScore"/> compares rows: the stored vectors (prototypes, or training rows) less
/// their mean, row-major (vectors × <see cref="Width"/>), that mean, each vector's spread and member count, and the mean
/// and standard deviation of the summarized training rows' own (leave-one-out) neighbour distances.
/// </summary>
/// <param name="Name">The space's name in the graph: <c>input</c>, <c>hidden</c> or <c>edges</c>.</param>
/// <param name="Reference">The stored vectors less <paramref name="Center"/>.</param>
/// <param name="Center">The stored vectors' mean, taken from them and from every query's.</param>
/// <param name="Spreads">Per stored vector, the mean squared distance of its members to it (0 for a training row); <see cref="NeighborScore.SpreadWeight"/> times it is added to a query's squared distance.</param>
/// <param name="Counts">Per stored vector, the training rows it stands for (1 for a training row).</param>
/// <param name="Statistics">Mean and standard deviation of the summarized training rows' own neighbour distances.</param>
internal sealed record NeighborSpace(string Name, float[] Reference, float[] Center, float[] Spreads, float[] Counts, (float Mean, float Deviation) Statistics)
{
    /// <summary>Values per vector.</summary>
    public int Width => Center.Length;

    /// <summary>What a query's squared distance to each stored vector adds: <see cref="NeighborScore.SpreadWeight"/> × its spread.</summary>
    public float[] WeightedSpreads => Spreads.Select(spread => NeighborScore.SpreadWeight * spread).ToArray();

    /// <summary>Stored vectors.</summary>
    public int Count => Counts.Length;

    /// <summary>
    /// The space <paramref name="name"/> whose stored vectors are <paramref name="stored"/> (one per group, row-major), the
    /// groups' members being <paramref name="members"/> (one per row, row-major, in <paramref name="groups"/>): each stored
    /// vector's spread (its members' mean squared distance to it, in double precision) and member count, then all centred on
    /// the stored vectors' mean; statistics not yet known.
    /// </summary>
    internal static NeighborSpace Of(string name, float[] stored, float[] members, int[] groups)
    {
        int rows = groups.Length, width = members.Length / rows, count = stored.Length / width;
        var counts = new float[count];
        var squares = new double[count];
        for (int i = 0; i < rows; i++)
        {
            int g = groups[i];
            counts[g]++;
            double square = 0;
            for (int j = 0; j < width; j++)
            {
                double gap = members[i * width + j] - stored[g * width + j];
                square += gap * gap;
            }
            squares[g] += square;
        }
        var center = new float[width];
        for (int j = 0; j < width; j++)
        {
            double total = 0;
            for (int g = 0; g < count; g++)
                total += stored[g * width + j];
            center[j] = (float)(total / count);
        }
        var reference = new float[count * width];
        for (int g = 0; g < count; g++)
            for (int j = 0; j < width; j++)
                reference[g * width + j] = stored[g * width + j] - center[j];
        var spreads = squares.Select((s, g) => (float)(s / counts[g])).ToArray();
        return new NeighborSpace(name, reference, center, spreads, counts, (0, 1));
    }

    /// <summary>The mean of each group's rows <paramref name="vectors"/> (row-major, in <paramref name="groups"/>, numbered 0 … <paramref name="count"/> − 1), in double precision.</summary>
    internal static float[] Means(float[] vectors, int[] groups, int count)
    {
        int rows = groups.Length, width = vectors.Length / rows;
        var sums = new double[count * width];
        var sizes = new int[count];
        for (int i = 0; i < rows; i++)
        {
            sizes[groups[i]]++;
            for (int j = 0; j < width; j++)
                sums[groups[i] * width + j] += vectors[i * width + j];
        }
        var means = new float[count * width];
        for (int g = 0; g < count; g++)
            for (int j = 0; j < width; j++)
                means[g * width + j] = (float)(sums[g * width + j] / sizes[g]);
        return means;
    }
}
