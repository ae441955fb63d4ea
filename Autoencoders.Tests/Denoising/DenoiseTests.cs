using Autoencoders.ML;
using Autoencoders.ML.Denoising;
using Autoencoders.ML.Scoring;
using Autoencoders.Tests.Corruptions;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Denoising;

[TestClass]
public sealed class DenoiseTests
{
    private static IDataView Load(MLContext context, FeatureMatrix data) => FeatureRow.Load(context, FeatureRow.From(data, false), data.Columns);

    private static FeatureMatrix Column(IDataView data, string column) =>
        FeatureMatrix.FromRows(data.GetColumn<float[]>(column).ToList());

    private static AutoencoderDenoisingEstimator.Options Options(string output) => new()
    {
        ReconstructionColumnName = output,
        HiddenLayerSizes = [64],
        LatentSize = 2,
        NumberOfEpochs = 40,
        LearningRate = 3e-3,
        Seed = 3,
        Corruptions = [Autoencoders.Training.Corruptions.Corruption.GaussianNoise(0.15)],
    };

    [TestMethod]
    public void Denoise_RestoresNoisyRowsTowardsTheManifold()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = CorruptionTests.Circle(2000, seed: 1, noise: 0);
        var (clean, noisy) = CorruptionTests.Circle(300, seed: 2, noise: 0.15);
        var model = context.Transforms.Denoise(Options("Denoised")).Fit(Load(context, train));
        var output = model.Transform(Load(context, noisy));

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 20), output.Schema["Denoised"].Type);
        Assert.IsNull(output.Schema.GetColumnOrNull("Score"), "a denoiser adds only its output column");
        CollectionAssert.AreEqual(noisy.Values, Column(output, "Features").Values, "the input column is left as it was");
        double before = CorruptionTests.MeanSquaredDistance(noisy, clean);
        double after = CorruptionTests.MeanSquaredDistance(Column(output, "Denoised"), clean);
        Assert.IsLessThan(before / 3, after, $"noisy {before:F4}, denoised {after:F4}");
    }

    [TestMethod]
    public void Denoise_InPlace_ReplacesTheColumn_AndSavesAndLoads()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = CorruptionTests.Circle(600, seed: 1, noise: 0);
        var (_, noisy) = CorruptionTests.Circle(50, seed: 2, noise: 0.15);
        var inPlaceOptions = Options("Features");
        inPlaceOptions.NumberOfEpochs = 5;
        var separateOptions = Options("Denoised");
        separateOptions.NumberOfEpochs = 5;
        var inPlace = context.Transforms.Denoise(inPlaceOptions).Fit(Load(context, train));
        var separate = context.Transforms.Denoise(separateOptions).Fit(Load(context, train));

        var test = Load(context, noisy);
        var restored = Column(inPlace.Transform(test), "Features");
        CollectionAssert.AreEqual(Column(separate.Transform(test), "Denoised").Values, restored.Values);

        using var stream = new MemoryStream();
        context.Model.Save(inPlace, test.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        Floats.AssertClose(restored.Values, Column(loaded.Transform(test), "Features").Values);
    }

    [TestMethod]
    public void Denoise_ReloadedOutputs_MatchAndBatchedReloadIsIdentical()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = CorruptionTests.Circle(600, seed: 1, noise: 0);
        var (_, noisy) = CorruptionTests.Circle(300, seed: 2, noise: 0.15);
        var options = Options("Denoised");
        options.NumberOfEpochs = 5;
        var model = context.Transforms.Denoise(options).Fit(Load(context, train));
        var test = Load(context, noisy);
        Assert.IsInstanceOfType<BatchedScoringDataView>(model.Transform(test));

        using var stream = new MemoryStream();
        context.Model.Save(model, test.Schema, stream);
        stream.Position = 0;
        var plain = new MLContext().Model.Load(stream, out _);
        stream.Position = 0;
        var batched = new MLContext().Model.LoadWithAutoencoders(stream, out _);
        var expected = Column(model.Transform(test), "Denoised").Values;
        Floats.AssertClose(expected, Column(plain.Transform(test), "Denoised").Values);
        CollectionAssert.AreEqual(expected, Column(batched.Transform(test), "Denoised").Values);
    }

    [TestMethod]
    public void Denoise_WithoutCorruption_IsRejected()
    {
        var options = Options("Denoised");
        options.Corruptions = [];
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.Denoise(options));
        Assert.AreEqual("Corruptions", error.ParamName);
    }

    [TestMethod]
    public void Denoise_SimpleOverload_DefaultsToGaussianNoise()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = CorruptionTests.Circle(300, seed: 1, noise: 0);
        var model = context.Transforms.Denoise("Denoised", "Features", noiseSigma: 0.2, numberOfEpochs: 2, seed: 1).Fit(Load(context, train));
        StringAssert.Contains(model.Model.Metadata[Autoencoders.Training.Onnx.OnnxNames.TrainingKey], "corruption=gaussian(sigma=0.2)");
    }
}

[TestClass]
public sealed class ScoreFunctionTests
{
    [TestMethod]
    public void ScoreFunction_OfGaussianData_PointsBackToTheMean()
    {
        // For x ~ N(0, I) and Gaussian noise σ, the optimal denoiser is x̃/(1+σ²), so (r(x̃) − x̃)/σ² = −x̃/(1+σ²):
        // the true score −x shrunk by 1/(1+σ²) = 0.8 for σ = 0.5. (The estimate's spread over seeds is ~0.05 here; with
        // σ = 0.3 and 4,000 rows it was ~0.2, as (r − x̃)/σ² magnifies the network's error by 1/σ².)
        var context = new MLContext(seed: 1);
        var random = new Random(4);
        FeatureMatrix Gaussian(int rows) => new(Enumerable.Range(0, rows * 2).Select(_ => (float)SyntheticData.Gaussian(random)).ToArray(), rows, 2);
        var options = new AutoencoderDenoisingEstimator.Options
        {
            ReconstructionColumnName = "Denoised",
            ScoreFunctionColumnName = "Gradient",
            HiddenLayerSizes = [32],
            Corruptions = [Autoencoders.Training.Corruptions.Corruption.GaussianNoise(0.5)],
            NumberOfEpochs = 15,
            LearningRate = 3e-3,
            Seed = 2,
        };
        var model = context.Transforms.Denoise(options).Fit(FeatureRow.Load(context, FeatureRow.From(Gaussian(16000), false), 2));
        var test = Gaussian(500);
        var output = model.Transform(FeatureRow.Load(context, FeatureRow.From(test, false), 2));
        var gradient = output.GetColumn<float[]>("Gradient").ToList();
        var denoised = output.GetColumn<float[]>("Denoised").ToList();

        double xy = 0, xx = 0;
        for (int r = 0; r < test.Rows; r++)
            for (int c = 0; c < 2; c++)
            {
                float x = test.Row(r)[c];
                Assert.AreEqual((denoised[r][c] - x) / 0.25f, gradient[r][c], 1e-3 * Math.Max(1, Math.Abs(gradient[r][c])));
                xy += x * gradient[r][c];
                xx += x * x;
            }
        double slope = xy / xx;
        Assert.IsTrue(slope is > -0.95 and < -0.65, $"score ≈ {slope:F3}·x, expected ≈ −0.8·x");
        Assert.AreEqual("0.5", model.Model.Metadata[Autoencoders.Training.Onnx.OnnxNames.ScoreFunctionSigmaKey]);
    }

    [TestMethod]
    public void ScoreFunction_WithoutGaussianNoise_IsAClearError()
    {
        var context = new MLContext(seed: 1);
        var options = new AutoencoderDenoisingEstimator.Options
        {
            ScoreFunctionColumnName = "Gradient",
            Corruptions = [Autoencoders.Training.Corruptions.Corruption.Masking(0.2)],
            NumberOfEpochs = 1,
            Seed = 1,
        };
        var data = FeatureRow.Load(context, FeatureRow.From(SyntheticData.Normal(50, 4, seed: 1), false), 4);
        // Rejected before training; a model exported without the output cannot be asked for it either.
        var error = Assert.ThrowsExactly<ArgumentException>(() => context.Transforms.Denoise(options));
        StringAssert.Contains(error.Message, "Gaussian");
        Assert.AreEqual(nameof(options.ScoreFunctionColumnName), error.ParamName);
        var plain = context.Transforms.Denoise(new AutoencoderDenoisingEstimator.Options { Corruptions = options.Corruptions, NumberOfEpochs = 1, Seed = 1 }).Fit(data);
        using var onnx = new MemoryStream();
        plain.SaveOnnx(onnx);
        onnx.Position = 0;
        var missing = Assert.ThrowsExactly<InvalidOperationException>(() => context.Transforms.ApplyAutoencoder(onnx,
            new Autoencoders.ML.Scoring.AutoencoderScoringOptions { ScoreFunctionColumnName = "Gradient", ScoreColumnName = null, PredictedLabelColumnName = null }).Fit(data));
        StringAssert.Contains(missing.Message, "Gaussian");
    }
}
