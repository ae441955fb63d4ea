using Autoencoders.Training.Data;
using Autoencoders.Training.Models;

namespace Autoencoders.Tests.Support;

/// <summary>Seeded images for tests: normal images are one or two soft round blobs; anomalies are stripes.</summary>
internal static class SyntheticImages
{
    /// <summary>Images of Gaussian blobs (radius 1.5–3 pixels) at random positions, per channel a different brightness, plus faint noise.</summary>
    public static FeatureMatrix Blobs(int rows, ImageShape shape, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * shape.Size];
        for (int r = 0; r < rows; r++)
        {
            int blobs = 1 + random.Next(2);
            for (int b = 0; b < blobs; b++)
            {
                double cy = random.NextDouble() * shape.Height, cx = random.NextDouble() * shape.Width, radius = 1.5 + 1.5 * random.NextDouble();
                for (int c = 0; c < shape.Channels; c++)
                    for (int y = 0; y < shape.Height; y++)
                        for (int x = 0; x < shape.Width; x++)
                        {
                            double d2 = ((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (radius * radius);
                            values[Index(shape, r, c, y, x)] += (float)((0.5 + 0.25 * c) * Math.Exp(-d2));
                        }
            }
            for (int i = 0; i < shape.Size; i++)
                values[r * shape.Size + i] += (float)(0.02 * SyntheticData.Gaussian(random));
        }
        return new FeatureMatrix(values, rows, shape.Size);
    }

    /// <summary>Images of horizontal or vertical stripes with a random period and phase, same brightness range as the blobs.</summary>
    public static FeatureMatrix Stripes(int rows, ImageShape shape, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * shape.Size];
        for (int r = 0; r < rows; r++)
        {
            bool vertical = random.Next(2) == 0;
            int period = 2 + random.Next(3), phase = random.Next(period);
            for (int c = 0; c < shape.Channels; c++)
                for (int y = 0; y < shape.Height; y++)
                    for (int x = 0; x < shape.Width; x++)
                        values[Index(shape, r, c, y, x)] = ((vertical ? x : y) + phase) % period == 0 ? 0.5f + 0.25f * c : 0f;
        }
        return new FeatureMatrix(values, rows, shape.Size);
    }

    private static int Index(ImageShape shape, int row, int channel, int y, int x) =>
        row * shape.Size + (channel * shape.Height + y) * shape.Width + x;
}
