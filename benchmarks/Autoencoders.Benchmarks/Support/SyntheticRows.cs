using Autoencoders.Training.Data;

namespace Autoencoders.Benchmarks.Support;

/// <summary>Seeded image-sized rows for throughput runs: a low-rank signal plus noise, so the autoencoder has something to learn.</summary>
internal static class SyntheticRows
{
    public static FeatureMatrix Create(int rows, int features, int seed, int rank = 16)
    {
        var random = new Random(seed);
        var basis = new float[rank * features];
        for (int i = 0; i < basis.Length; i++)
            basis[i] = (float)(random.NextDouble() * 2 - 1);
        var values = new float[(long)rows * features];
        var code = new float[rank];
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < rank; k++)
                code[k] = (float)(random.NextDouble() * 2 - 1);
            var row = values.AsSpan(r * features, features);
            for (int c = 0; c < features; c++)
            {
                float x = 0.1f * (float)(random.NextDouble() - 0.5);
                for (int k = 0; k < rank; k++)
                    x += code[k] * basis[k * features + c];
                row[c] = x;
            }
        }
        return new FeatureMatrix(values, rows, features);
    }
}
