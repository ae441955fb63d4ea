using Autoencoders.ML;
using Autoencoders.ML.Denoising;
using Autoencoders.Tests.Corruptions;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Denoising;

[TestClass]
public sealed class Noise2NoiseTests
{
    private static FeatureMatrix Add(FeatureMatrix clean, int seed, Func<Random, double> noise)
    {
        var random = new Random(seed);
        return new FeatureMatrix(clean.Values.Select(v => (float)(v + noise(random))).ToArray(), clean.Rows, clean.Columns);
    }

    private static TrainerOptions Options(ReconstructionLoss loss) => new()
    {
        NumberOfEpochs = 40,
        Seed = 3,
        LearningRate = 3e-3,
        Loss = loss,
        HiddenLayerSizes = [64], LatentSize = 2,
    };

    [TestMethod]
    public void Noise2Noise_LearnsToDenoiseWithoutCleanData()
    {
        var (clean, _) = CorruptionTests.Circle(2000, seed: 1, noise: 0);
        var inputs = Add(clean, 10, r => 0.15 * SyntheticData.Gaussian(r));
        var targets = Add(clean, 11, r => 0.15 * SyntheticData.Gaussian(r));
        using var trained = new AutoencoderTrainer(Options(ReconstructionLoss.MeanSquaredError)).Fit(inputs, targets);

        var (testClean, testNoisy) = CorruptionTests.Circle(500, seed: 2, noise: 0.15);
        double before = CorruptionTests.MeanSquaredDistance(testNoisy, testClean);
        double after = CorruptionTests.MeanSquaredDistance(trained.Predict(testNoisy).Reconstruction, testClean);
        Assert.IsLessThan(before / 3, after, $"noisy {before:F4}, restored {after:F4}");
        Assert.IsTrue(trained.Settings.Noise2Noise);
    }

    [TestMethod]
    public void SquaredErrorLearnsTheMean_AbsoluteErrorTheMedian()
    {
        // Target noise: +0.6 with probability 0.3, else 0 — mean 0.18, median 0.
        var (clean, _) = CorruptionTests.Circle(3000, seed: 1, noise: 0);
        var inputs = Add(clean, 20, r => 0.05 * SyntheticData.Gaussian(r));
        var targets = Add(clean, 21, r => r.NextDouble() < 0.3 ? 0.6 : 0);
        var (testClean, _) = CorruptionTests.Circle(500, seed: 2, noise: 0);
        double Offset(ReconstructionLoss loss)
        {
            using var trained = new AutoencoderTrainer(Options(loss)).Fit(inputs, targets);
            var output = trained.Predict(testClean).Reconstruction;
            return output.Values.Zip(testClean.Values).Average(p => (double)p.First - p.Second);
        }
        double mean = Offset(ReconstructionLoss.MeanSquaredError);
        double median = Offset(ReconstructionLoss.MeanAbsoluteError);
        Assert.AreEqual(0.18, mean, 0.05, "L2 output offset");
        Assert.AreEqual(0.0, median, 0.05, "L1 output offset");
    }

    [TestMethod]
    public void MismatchedTargets_AreRejected()
    {
        var data = SyntheticData.Normal(20, 4, seed: 1);
        Assert.AreEqual("targets", Assert.ThrowsExactly<ArgumentException>(() =>
            new AutoencoderTrainer(Options(ReconstructionLoss.MeanSquaredError)).Fit(data, SyntheticData.Normal(20, 5, seed: 1))).ParamName);
    }

    private sealed class Pair
    {
        [VectorType(20)] public float[] Features { get; set; } = [];
        [VectorType(20)] public float[] Second { get; set; } = [];
    }

    [TestMethod]
    public void Denoise_WithATargetColumn_TrainsNoise2Noise()
    {
        var context = new MLContext(seed: 1);
        var (clean, _) = CorruptionTests.Circle(1500, seed: 1, noise: 0);
        var inputs = Add(clean, 10, r => 0.15 * SyntheticData.Gaussian(r));
        var targets = Add(clean, 11, r => 0.15 * SyntheticData.Gaussian(r));
        var data = context.Data.LoadFromEnumerable(Enumerable.Range(0, clean.Rows)
            .Select(i => new Pair { Features = inputs.Row(i).ToArray(), Second = targets.Row(i).ToArray() }).ToList());
        var options = new AutoencoderDenoisingEstimator.Options
        {
            TargetColumnName = "Second",
            Corruptions = [],
            HiddenLayerSizes = [64],
            LatentSize = 2,
            NumberOfEpochs = 30,
            LearningRate = 3e-3,
            Seed = 3,
        };
        var model = context.Transforms.Denoise(options).Fit(data);
        StringAssert.Contains(model.Model.Metadata[Autoencoders.Training.Onnx.OnnxNames.TrainingKey], "target=second noisy observation");

        var (testClean, testNoisy) = CorruptionTests.Circle(300, seed: 2, noise: 0.15);
        var restored = FeatureMatrix.FromRows(model.Transform(FeatureRow.Load(context, FeatureRow.From(testNoisy, false), 20)).GetColumn<float[]>("Denoised").ToList());
        Assert.IsLessThan(CorruptionTests.MeanSquaredDistance(testNoisy, testClean) / 3, CorruptionTests.MeanSquaredDistance(restored, testClean));

        options.ShuffleBufferRows = 100;
        Assert.AreEqual("ShuffleBufferRows", Assert.ThrowsExactly<ArgumentException>(() => context.Transforms.Denoise(options)).ParamName);
    }
}
