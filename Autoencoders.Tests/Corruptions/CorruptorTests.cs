using Autoencoders.Tests.Support;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Native;
using Autoencoders.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Tests.Corruptions;

/// <summary>The corruptor's libtorch path for Gaussian noise alone, taken by batches the fused CPU float32 path does not take (a GPU's, or float64).</summary>
[TestClass]
public sealed class CorruptorTests
{
    [TestMethod]
    public void GaussianNoiseAlone_OnTheLibtorchPath_IsSigmaInEachFeaturesOwnUnits()
    {
        TorchRuntime.SetThreads(1, 0);
        // Three features with standard deviations 1, 4 and 0.25: σ = 0.5 in original units is 0.5, 0.125 and 2 standardized.
        var random = new Random(3);
        var rows = Enumerable.Range(0, 4000).SelectMany(_ => new[] { SyntheticData.Gaussian(random), 4 * SyntheticData.Gaussian(random), 0.25 * SyntheticData.Gaussian(random) })
            .Select(v => (float)v).ToArray();
        var standardizer = Standardizer.Fit(new FeatureMatrix(rows, 4000, 3));
        using var corruptor = new Corruptor([Corruption.GaussianNoise(0.5)], standardizer, seed: 1, torch.CPU, null);
        using var scope = torch.NewDisposeScope();
        var batch = torch.zeros([20_000, 3], dtype: ScalarType.Float64); // float64: not the fused float32 path
        var noise = corruptor.Corrupt(batch);
        var deviations = noise.std([0L]).data<double>().ToArray();
        double[] expected = [0.5 / 1, 0.5 / 4, 0.5 / 0.25];
        for (int j = 0; j < 3; j++)
            Assert.AreEqual(expected[j], deviations[j], 0.03 * expected[j], $"feature {j}");
    }
}
