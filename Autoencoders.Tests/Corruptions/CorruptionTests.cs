using Autoencoders.Tests.Support;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Tests.Corruptions;

[TestClass]
public sealed class CorruptionTests
{
    private const int Rows = 400;
    private const int Columns = 250; // 100,000 values: fractions and moments to about ±0.5%

    private static float[] Corrupt(Corruption corruption, float fill, ulong seed = 1)
    {
        TorchNativeLibrary.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(seed);
        var context = new CorruptionContext(generator, torch.full(Columns, -2f), torch.full(Columns, 5f), null);
        var batch = torch.full(Rows, Columns, fill);
        var result = corruption.Apply(batch, context);
        Assert.IsTrue(batch.eq(fill).all().item<bool>(), "the input batch must not be modified");
        return Floats(result);
    }

    private static float[] Floats(Tensor tensor) => tensor.contiguous().data<float>().ToArray();

    [TestMethod]
    public void GaussianNoise_HasTheRequestedStandardDeviation()
    {
        var values = Corrupt(Corruption.GaussianNoise(0.3), fill: 1f);
        double mean = values.Average(v => v - 1.0);
        double std = Math.Sqrt(values.Average(v => (v - 1.0 - mean) * (v - 1.0 - mean)));
        Assert.AreEqual(0, mean, 0.005);
        Assert.AreEqual(0.3, std, 0.003);
    }

    [TestMethod]
    public void GaussianNoise_ClipsToTheRange()
    {
        var values = Corrupt(Corruption.GaussianNoise(0.5, clipMinimum: 0, clipMaximum: 1), fill: 0.9f);
        Assert.IsTrue(values.All(v => v is >= 0 and <= 1));
        Assert.AreEqual(0.42, values.Count(v => v == 1f) / (double)values.Length, 0.01); // P(N(0.9, 0.5) > 1) = 0.42
    }

    [TestMethod]
    public void Masking_SetsTheFractionToTheValue()
    {
        var values = Corrupt(Corruption.Masking(0.3, value: -1), fill: 2f);
        Assert.AreEqual(0.3, values.Count(v => v == -1f) / (double)values.Length, 0.005);
        Assert.IsTrue(values.All(v => v is -1f or 2f));
    }

    [TestMethod]
    public void SaltAndPepper_UsesTheFeatureExtremesEquallyOften()
    {
        var values = Corrupt(Corruption.SaltAndPepper(0.1), fill: 1f);
        double salt = values.Count(v => v == 5f) / (double)values.Length;
        double pepper = values.Count(v => v == -2f) / (double)values.Length;
        Assert.AreEqual(0.05, salt, 0.003);
        Assert.AreEqual(0.05, pepper, 0.003);
        Assert.AreEqual(values.Length, values.Count(v => v is 1f or 5f or -2f));
    }

    [TestMethod]
    public void SameSeed_SameCorruption_OtherSeed_Other()
    {
        var corruption = Corruption.Masking(0.5);
        CollectionAssert.AreEqual(Corrupt(corruption, 1f, seed: 7), Corrupt(corruption, 1f, seed: 7));
        CollectionAssert.AreNotEqual(Corrupt(corruption, 1f, seed: 7), Corrupt(corruption, 1f, seed: 8));
    }

    [TestMethod]
    public void InvalidSettings_AreNamed()
    {
        Assert.AreEqual("sigma", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Corruption.GaussianNoise(0)).ParamName);
        Assert.AreEqual("clipMaximum", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Corruption.GaussianNoise(1, 1, 0)).ParamName);
        Assert.AreEqual("fraction", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Corruption.Masking(1.5)).ParamName);
        Assert.AreEqual("fraction", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Corruption.SaltAndPepper(0)).ParamName);
        // Every masking corruption refuses a mask value that would put NaN or infinity into the training batch.
        Assert.AreEqual("value", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Corruption.Masking(0.5, double.NaN)).ParamName);
        Assert.AreEqual("value", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Corruption.PixelErasure(0.5, double.PositiveInfinity)).ParamName);
        Assert.AreEqual("value", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Corruption.BlockMasking(1, 3, double.NaN)).ParamName);
        Assert.AreEqual("value", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Corruption.PatchMasking(0.5, 2, double.NegativeInfinity)).ParamName);
    }

    /// <summary>Points on a circle bent into 20 dimensions: a 1-D manifold the denoiser should project noisy points back onto.</summary>
    internal static (FeatureMatrix Clean, FeatureMatrix Noisy) Circle(int rows, int seed, double noise)
    {
        var mixing = new Random(99);
        var a = Enumerable.Range(0, 20 * 2).Select(_ => SyntheticData.Gaussian(mixing)).ToArray();
        var random = new Random(seed);
        var clean = new float[rows * 20];
        var noisy = new float[rows * 20];
        for (int r = 0; r < rows; r++)
        {
            double t = 2 * Math.PI * random.NextDouble();
            for (int c = 0; c < 20; c++)
            {
                double x = Math.Tanh(a[2 * c] * Math.Cos(t) + a[2 * c + 1] * Math.Sin(t));
                clean[r * 20 + c] = (float)x;
                noisy[r * 20 + c] = (float)(x + noise * SyntheticData.Gaussian(random));
            }
        }
        return (new FeatureMatrix(clean, rows, 20), new FeatureMatrix(noisy, rows, 20));
    }

    internal static double MeanSquaredDistance(FeatureMatrix a, FeatureMatrix b) =>
        a.Values.Zip(b.Values).Average(p => (double)(p.First - p.Second) * (p.First - p.Second));

    [TestMethod]
    public void DenoisingAutoencoder_PullsNoisyPointsBackOntoTheCircle()
    {
        var (train, _) = Circle(2000, seed: 1, noise: 0);
        var (clean, noisy) = Circle(500, seed: 2, noise: 0.15);
        var options = new TrainerOptions
        {
            NumberOfEpochs = 60,
            Seed = 3,
            LearningRate = 3e-3,
            HiddenLayerSizes = [64], LatentSize = 2,
            Corruptions = [Corruption.GaussianNoise(0.15)],
        };
        using var trained = new AutoencoderTrainer(options).Fit(train);
        var restored = trained.Predict(noisy).Reconstruction;

        double before = MeanSquaredDistance(noisy, clean);
        double after = MeanSquaredDistance(restored, clean);
        Console.WriteLine($"mean squared distance to the clean points: noisy {before:F4}, restored {after:F4} ({before / after:F1}x lower)");
        Assert.IsLessThan(before / 3, after, $"noisy {before:F4}, restored {after:F4}");
    }

    [TestMethod]
    public void Corruption_IsNeverPartOfScoring()
    {
        var data = SyntheticData.Normal(200, 8, seed: 1);
        var options = new TrainerOptions
        {
            NumberOfEpochs = 3,
            Seed = 1,
            Corruptions = [Corruption.GaussianNoise(0.2), Corruption.Masking(0.2), Corruption.SaltAndPepper(0.05)],
        };
        using var trained = new AutoencoderTrainer(options).Fit(data);
        CollectionAssert.AreEqual(trained.Score(data), trained.Score(data), "scoring is deterministic");
        var model = trained.ExportOnnx(1f);
        Assert.IsFalse(model.Proto.Graph.Node.Any(n => n.OpType.StartsWith("Random", StringComparison.Ordinal) || n.OpType == "Dropout"));
        StringAssert.Contains(model.Metadata[OnnxNames.TrainingKey], "corruption=gaussian(sigma=0.2) then masking(fraction=0.2, value=0) then salt_and_pepper(fraction=0.05)");
    }

    [TestMethod]
    public void CorruptedTraining_IsReproducible()
    {
        var data = SyntheticData.Normal(200, 8, seed: 1);
        TrainerOptions Options() => new() { NumberOfEpochs = 3, Seed = 5, Corruptions = [Corruption.SaltAndPepper(0.1)] };
        using var first = new AutoencoderTrainer(Options()).Fit(data);
        using var second = new AutoencoderTrainer(Options()).Fit(data);
        CollectionAssert.AreEqual(first.ExportOnnx(1f).ToBytes(), second.ExportOnnx(1f).ToBytes());
    }
}
