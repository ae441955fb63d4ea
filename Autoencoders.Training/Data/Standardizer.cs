using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Autoencoders.Training.Data;

/// <summary>
/// Per-feature standardization, z = (x − mean) · scale, fitted on training data (or pooled per image channel, <see cref="PoolChannels"/>). A feature with (near) zero
/// variance keeps scale 1: it is centred, not divided by zero, so an unseen value there still shows up as error.
/// </summary>
public sealed class Standardizer
{
    /// <summary>Standard deviations at or below this count as zero variance.</summary>
    public const double ZeroVarianceThreshold = 1e-8;

    private readonly double[] _variance;

    private Standardizer(float[] mean, float[] scale, float[] minimum, float[] maximum, double[] variance)
    {
        _variance = variance;
        Mean = mean;
        Scale = scale;
        Minimum = minimum;
        Maximum = maximum;
    }

    /// <summary>Per-feature means.</summary>
    public float[] Mean { get; }

    /// <summary>Per-feature multipliers: 1 / standard deviation, or 1 for zero-variance features.</summary>
    public float[] Scale { get; }

    /// <summary>Per-feature smallest value seen in the training data (salt-and-pepper noise uses it).</summary>
    public float[] Minimum { get; }

    /// <summary>Per-feature largest value seen in the training data.</summary>
    public float[] Maximum { get; }

    /// <summary>
    /// Fits means and scales to the columns of <paramref name="data"/> in one pass (Welford's algorithm in double
    /// precision, population standard deviation), so data larger than memory can be standardized.
    /// </summary>
    /// <param name="data">The rows; read once.</param>
    /// <param name="rows">Number of rows read.</param>
    /// <exception cref="ArgumentException"><paramref name="data"/> has no rows.</exception>
    public static Standardizer Fit(IRowSource data, out long rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        int d = data.Columns;
        var mean = new double[d];
        var squares = new double[d];
        var minimum = Enumerable.Repeat(float.PositiveInfinity, d).ToArray();
        var maximum = Enumerable.Repeat(float.NegativeInfinity, d).ToArray();
        var row = new float[d];
        rows = 0;
        using (var reader = data.OpenReader())
        {
            while (reader.TryRead(row))
            {
                rows++;
                for (int c = 0; c < d; c++)
                {
                    double delta = row[c] - mean[c];
                    mean[c] += delta / rows;
                    squares[c] += delta * (row[c] - mean[c]);
                    minimum[c] = Math.Min(minimum[c], row[c]);
                    maximum[c] = Math.Max(maximum[c], row[c]);
                }
            }
        }
        if (rows == 0)
            throw new ArgumentException("Cannot fit a standardizer to data without rows.", nameof(data));
        long count = rows;
        var variance = squares.Select(s => s / count).ToArray();
        return new Standardizer(mean.Select(m => (float)m).ToArray(), variance.Select(ScaleOf).ToArray(), minimum, maximum, variance);
    }

    /// <summary>
    /// The same statistics pooled per channel of <paramref name="image"/>: every pixel of a channel gets the channel's
    /// mean and scale (over all its pixels and rows) and the channel's smallest and largest value. The exported graph
    /// still applies them per feature, so nothing else changes.
    /// </summary>
    /// <exception cref="ArgumentException">The image shape does not match the number of features.</exception>
    public Standardizer PoolChannels(Models.ImageShape image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Size != Mean.Length)
            throw new ArgumentException($"The image shape {image} has {image.Size} values; the standardizer {Mean.Length}.", nameof(image));
        int d = Mean.Length, pixels = image.Height * image.Width;
        var (mean, scale, minimum, maximum, variance) = (new float[d], new float[d], new float[d], new float[d], new double[d]);
        for (int c = 0; c < image.Channels; c++)
        {
            var range = new Range(c * pixels, (c + 1) * pixels);
            double channelMean = 0, secondMoment = 0;
            for (int f = range.Start.Value; f < range.End.Value; f++)
            {
                channelMean += Mean[f];
                secondMoment += _variance[f] + (double)Mean[f] * Mean[f];
            }
            channelMean /= pixels;
            double channelVariance = Math.Max(secondMoment / pixels - channelMean * channelMean, 0);
            mean.AsSpan(range).Fill((float)channelMean);
            variance.AsSpan(range).Fill(channelVariance);
            scale.AsSpan(range).Fill(ScaleOf(channelVariance));
            minimum.AsSpan(range).Fill(Minimum[range].Min());
            maximum.AsSpan(range).Fill(Maximum[range].Max());
        }
        return new Standardizer(mean, scale, minimum, maximum, variance);
    }

    /// <summary>1 / standard deviation, or 1 for (near) zero variance.</summary>
    private static float ScaleOf(double variance) =>
        Math.Sqrt(variance) is var std && std > ZeroVarianceThreshold ? (float)(1.0 / std) : 1f;

    /// <summary>Fits means and scales to the columns of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has no rows.</exception>
    public static Standardizer Fit(FeatureMatrix data) => Fit(data, out _);

    /// <summary>Returns a standardized copy of <paramref name="data"/>, computed exactly as the exported ONNX graph does (float32).</summary>
    public FeatureMatrix Transform(FeatureMatrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != Mean.Length)
            throw new ArgumentException($"Expected {Mean.Length} features, got {data.Columns}.", nameof(data));
        var result = new float[data.Values.Length];
        for (int r = 0; r < data.Rows; r++)
            Transform(data.Row(r), result.AsSpan(r * data.Columns, data.Columns));
        return new FeatureMatrix(result, data.Rows, data.Columns);
    }

    /// <summary>Standardizes one row into <paramref name="target"/>, as <see cref="Transform(FeatureMatrix)"/> does.</summary>
    /// <exception cref="ArgumentException"><paramref name="row"/> or <paramref name="target"/> does not have one value per feature.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs per row while streaming: vectorized from the first epoch
    public void Transform(ReadOnlySpan<float> row, Span<float> target)
    {
        if (row.Length != Mean.Length)
            throw new ArgumentException($"Expected {Mean.Length} features, got {row.Length}.", nameof(row));
        if (target.Length != Mean.Length)
            throw new ArgumentException($"Expected room for {Mean.Length} features, got {target.Length}.", nameof(target));
        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Subtract, then multiply, each rounded to float32: the same values as the scalar loop and the ONNX graph.
            for (; c <= row.Length - Vector256<float>.Count; c += Vector256<float>.Count)
                ((Vector256.Create(row[c..]) - Vector256.Create(Mean.AsSpan(c))) * Vector256.Create(Scale.AsSpan(c))).CopyTo(target[c..]);
        }
        for (; c < row.Length; c++)
            target[c] = (row[c] - Mean[c]) * Scale[c];
    }
}
