using Autoencoders.Training.Data;

namespace Autoencoders.Tests.Support;

/// <summary>Seeded data for tests: normal rows lie near a low-dimensional linear subspace, anomalies do not.</summary>
internal static class SyntheticData
{
    /// <summary>Rows on a <paramref name="rank"/>-dimensional subspace of <paramref name="columns"/> dimensions plus small noise, with feature-specific offsets and scales.</summary>
    public static FeatureMatrix Normal(int rows, int columns, int seed, int rank = 3, double noise = 0.05)
    {
        var random = new Random(seed);
        var basis = new double[rank, columns];
        var mixing = new Random(1234); // the subspace is the same for every call
        for (int k = 0; k < rank; k++)
            for (int c = 0; c < columns; c++)
                basis[k, c] = Gaussian(mixing);
        var values = new float[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            var z = Enumerable.Range(0, rank).Select(_ => Gaussian(random)).ToArray();
            for (int c = 0; c < columns; c++)
            {
                double x = noise * Gaussian(random);
                for (int k = 0; k < rank; k++)
                    x += z[k] * basis[k, c];
                values[r * columns + c] = (float)(10 * c + (1 + c % 3) * x);
            }
        }
        return new FeatureMatrix(values, rows, columns);
    }

    /// <summary>Rows with independent features of the same marginal scale as <see cref="Normal"/> rows: off the subspace.</summary>
    public static FeatureMatrix Anomalies(int rows, int columns, int seed, int rank = 3)
    {
        var random = new Random(seed);
        var values = new float[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                values[r * columns + c] = (float)(10 * c + (1 + c % 3) * Math.Sqrt(rank) * Gaussian(random));
        return new FeatureMatrix(values, rows, columns);
    }

    /// <summary>Uniform values in [-3, 3].</summary>
    public static FeatureMatrix Uniform(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        return new FeatureMatrix(Enumerable.Range(0, rows * columns).Select(_ => (float)(6 * random.NextDouble() - 3)).ToArray(), rows, columns);
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
