using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Native;
using TorchSharp;

namespace Autoencoders.Tests.Corruptions;

[TestClass]
public sealed class GaussianStreamTests
{
    private static float[] Draws(ulong seed, int rows, float[] scale)
    {
        var output = new float[rows * scale.Length];
        new GaussianStream(seed).AddTo(new float[output.Length], scale, output);
        return output;
    }

    [TestMethod]
    public void Draws_AreStandardNormal()
    {
        var z = Draws(seed: 3, rows: 1000, scale: Enumerable.Repeat(1f, 1000).ToArray()); // 10⁶ draws
        double mean = z.Average(v => (double)v);
        double variance = z.Average(v => (v - mean) * (v - mean));
        Assert.AreEqual(0, mean, 0.005);
        Assert.AreEqual(1, variance, 0.005);
        Assert.AreEqual(0.0027, z.Count(v => Math.Abs(v) > 3) / (double)z.Length, 0.0003); // P(|Z| > 3)

        // Kolmogorov–Smirnov distance to Φ; 1.95/√n is its 0.1% critical value.
        var sorted = z.Select(v => (double)v).Order().ToArray();
        double distance = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            double cdf = NormalCdf(sorted[i]);
            distance = Math.Max(distance, Math.Max((i + 1.0) / sorted.Length - cdf, cdf - (double)i / sorted.Length));
        }
        Assert.IsLessThan(1.95 / Math.Sqrt(sorted.Length), distance);
    }

    [TestMethod]
    public void Draws_AreUncorrelated_AcrossNeighboursAndLanes()
    {
        var z = Draws(seed: 4, rows: 1000, scale: Enumerable.Repeat(1f, 1000).ToArray());
        // Neighbours 1 apart (lanes), 8 apart (the cosine and sine halves of one Box–Muller pair) and 16 apart (the next draw of a lane).
        foreach (int lag in new[] { 1, 8, 16 })
        {
            double sum = 0;
            for (int i = lag; i < z.Length; i++)
                sum += z[i] * (double)z[i - lag];
            Assert.AreEqual(0, sum / (z.Length - lag), 0.005, $"lag {lag}");
        }
    }

    [TestMethod]
    public void Scales_ApplyPerFeature_AndRowsOfAnyLength()
    {
        float[] scale = [0.5f, 2f, 0f, 1f, 3f, 0.25f, 1f, 1f, 1f, 1f, 4f, 0.1f, 2f]; // 13: a vector and a tail per row
        const int rows = 20_000;
        var input = Enumerable.Range(0, rows * scale.Length).Select(i => (float)(i % scale.Length)).ToArray();
        var output = new float[input.Length];
        new GaussianStream(5).AddTo(input, scale, output);
        for (int j = 0; j < scale.Length; j++)
        {
            var noise = Enumerable.Range(0, rows).Select(r => (double)output[r * scale.Length + j] - j).ToArray();
            double std = Math.Sqrt(noise.Average(v => v * v));
            Assert.AreEqual(scale[j], std, 0.03 * scale[j] + 1e-9, $"feature {j}");
        }
    }

    [TestMethod]
    public void SameSeed_SameDraws_OtherSeed_OtherDraws()
    {
        float[] scale = Enumerable.Repeat(1f, 37).ToArray();
        CollectionAssert.AreEqual(Draws(9, 50, scale), Draws(9, 50, scale));
        var other = Draws(10, 50, scale);
        Assert.IsLessThan(5, Draws(9, 50, scale).Zip(other).Count(p => p.First == p.Second));
    }

    [TestMethod]
    public void TensorOverload_AddsToACopy_AndChecksTheScales()
    {
        TorchNativeLibrary.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var batch = torch.ones(64, 3, 5, 5); // image batches: a row is everything after the first dimension
        var noisy = new GaussianStream(1).AddTo(batch, Enumerable.Repeat(0.1f, 75).ToArray());
        CollectionAssert.AreEqual(new long[] { 64, 3, 5, 5 }, noisy.shape);
        Assert.IsTrue(batch.eq(1f).all().item<bool>(), "the input must not be modified");
        Assert.AreEqual(0.1, (noisy - 1).std().item<float>(), 0.005);
        var error = Assert.ThrowsExactly<ArgumentException>(() => new GaussianStream(1).AddTo(batch, new float[5]));
        Assert.AreEqual("scale", error.ParamName);
        StringAssert.Contains(error.Message, "75");
        Assert.AreEqual("input", Assert.ThrowsExactly<ArgumentException>(() => new GaussianStream(1).AddTo(new float[10], new float[3], new float[10])).ParamName);
        Assert.AreEqual("output", Assert.ThrowsExactly<ArgumentException>(() => new GaussianStream(1).AddTo(new float[9], new float[3], new float[8])).ParamName);
    }

    private static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    // Numerical Recipes' erfc (Chebyshev fit, relative error < 1.2e-7).
    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                   t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
