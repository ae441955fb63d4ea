using Autoencoders.ML;
using Autoencoders.ML.Features;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Autoencoders.Tests.Training;

[TestClass]
public sealed class VariationalTests
{
    private static TrainerOptions Options(VariationalScore score = VariationalScore.ReconstructionError) => new()
    {
        NumberOfEpochs = 40,
        Seed = 6,
        LearningRate = 3e-3,
        VariationalScore = score,
        HiddenLayerSizes = [32], LatentSize = 3, Variational = true,
    };

    [TestMethod]
    [DataRow(VariationalScore.ReconstructionError)]
    [DataRow(VariationalScore.NegativeElbo)]
    public void ExportedGraph_AgreesWithTorchSharp_AndPassesTheChecker(VariationalScore score)
    {
        var data = SyntheticData.Normal(300, 10, seed: 1);
        using var trained = new AutoencoderTrainer(Options(score)).Fit(data);
        var test = SyntheticData.Normal(50, 10, seed: 2);
        var expected = trained.Predict(test);
        var model = trained.ExportOnnx(0.5f);
        var actual = Ort.Run(model.ToBytes(), test, out _);
        for (int i = 0; i < expected.Scores.Length; i++)
            Assert.AreEqual(expected.Scores[i], actual[OnnxNames.Score][i], 1e-5 * Math.Max(1, expected.Scores[i]));
        var latent = actual[OnnxNames.Latent];
        Assert.HasCount(expected.Latent.Values.Length, latent);
        for (int i = 0; i < latent.Length; i++) // to 1e-5, not rounded to 4 decimals: a value near a rounding boundary would fail on a 1e-7 difference
            Assert.AreEqual(expected.Latent.Values[i], latent[i], 1e-5 * Math.Max(1, Math.Abs(expected.Latent.Values[i])), $"latent value {i}");
        Assert.AreEqual(3, model.LatentSize);

        OnnxChecker.AssertAccepts(model.ToBytes(), "model");
        OnnxChecker.AssertAccepts(trained.ExportDecoderOnnx(), "decoder");
    }

    [TestMethod]
    public void NegativeElbo_AddsTheScaledKLTerm()
    {
        var data = SyntheticData.Normal(300, 10, seed: 1);
        using var trained = new AutoencoderTrainer(Options(VariationalScore.NegativeElbo)).Fit(data);
        using var reconstructionOnly = new AutoencoderTrainer(Options()).Fit(data);
        var withKL = trained.Score(data);
        var without = reconstructionOnly.Score(data);
        Assert.IsTrue(withKL.Zip(without).All(p => p.First > p.Second), "same weights (same seed), the score adds a positive KL term");
    }

    [TestMethod]
    public void Codes_FollowThePrior_AndTrainingIsReproducible()
    {
        var data = SyntheticData.Normal(400, 10, seed: 1);
        using var trained = new AutoencoderTrainer(Options()).Fit(data);
        using var again = new AutoencoderTrainer(Options()).Fit(data);
        CollectionAssert.AreEqual(trained.ExportOnnx(1f).ToBytes(), again.ExportOnnx(1f).ToBytes());
        Assert.IsLessThan(trained.History[0].TrainingLoss, trained.History[^1].TrainingLoss);

        var codes = trained.Predict(data).Latent.Values;
        double mean = codes.Average(v => (double)v);
        double std = Math.Sqrt(codes.Average(v => (v - mean) * (v - mean)));
        Assert.IsTrue(Math.Abs(mean) < 0.3 && std is > 0.3 and < 1.5, $"posterior means: mean {mean:F3}, std {std:F3}");
    }

    [TestMethod]
    public void DecoderGraph_DecodesCodes_AndSamplingGeneratesPlausibleRows()
    {
        var data = SyntheticData.Normal(400, 10, seed: 1);
        using var trained = new AutoencoderTrainer(Options()).Fit(data);
        var test = SyntheticData.Normal(20, 10, seed: 3);
        var outputs = Ort.Run(trained.ExportOnnx(1f).ToBytes(), test, out _);

        using var decoder = new InferenceSession(trained.ExportDecoderOnnx());
        var codes = new DenseTensor<float>(outputs[OnnxNames.Latent], [20, 3]);
        using var decoded = decoder.Run([NamedOnnxValue.CreateFromTensor(OnnxNames.Latent, codes)]);
        var reconstruction = decoded.Single().AsTensor<float>().ToArray();
        for (int i = 0; i < reconstruction.Length; i++)
            Assert.AreEqual(outputs[OnnxNames.Reconstruction][i], reconstruction[i], 1e-4 * Math.Max(1, Math.Abs(reconstruction[i])));

        var samples = trained.Sample(2000, seed: 9);
        CollectionAssert.AreEqual(samples.Values, trained.Sample(2000, seed: 9).Values, "seeded");
        for (int c = 0; c < 10; c++)
        {
            double sampleMean = Enumerable.Range(0, samples.Rows).Average(r => samples.Row(r)[c]);
            double dataMean = Enumerable.Range(0, data.Rows).Average(r => data.Row(r)[c]);
            double dataStd = Math.Sqrt(Enumerable.Range(0, data.Rows).Average(r => Math.Pow(data.Row(r)[c] - dataMean, 2)));
            Assert.AreEqual(dataMean, sampleMean, 0.5 * dataStd, $"feature {c}");
        }
        using var plain = new AutoencoderTrainer(new TrainerOptions { NumberOfEpochs = 1 }).Fit(data);
        Assert.ThrowsExactly<InvalidOperationException>(() => plain.Sample(1, 1));
    }

    [TestMethod]
    public void VariationalFeaturizer_WritesTheMeanCode()
    {
        var context = new MLContext(seed: 1);
        var data = FeatureRow.Load(context, FeatureRow.From(SyntheticData.Normal(200, 10, seed: 1), false), 10);
        var model = context.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options
        {
            Variational = true, LatentSize = 2, HiddenLayerSizes = [16], NumberOfEpochs = 5, Seed = 1,
        }).Fit(data);
        StringAssert.Contains(model.Model.Metadata[OnnxNames.ArchitectureKey], "variational");
        Assert.AreEqual(200, model.Transform(data).GetColumn<float[]>("LatentFeatures").Count(v => v.Length == 2));
    }

    [TestMethod]
    public void FittedStage_ExportsItsDecoder_AndSamples_AlsoAfterSaveAndLoad()
    {
        var context = new MLContext(seed: 1);
        var rows = SyntheticData.Normal(400, 10, seed: 1);
        var data = FeatureRow.Load(context, FeatureRow.From(rows, false), 10);
        using var model = context.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options
        {
            Variational = true, LatentSize = 3, HiddenLayerSizes = [32], NumberOfEpochs = 40, Seed = 1, ReconstructionColumnName = "Restored",
        }).Fit(data);

        // The decoder graph decodes the stage's own codes to its own reconstructions.
        var scored = model.Transform(data);
        var codes = scored.GetColumn<float[]>("LatentFeatures").Take(20).SelectMany(c => c).ToArray();
        var restored = scored.GetColumn<float[]>("Restored").Take(20).SelectMany(c => c).ToArray();
        using (var decoder = new InferenceSession(model.ExportDecoderOnnx()))
        {
            using var decoded = decoder.Run([NamedOnnxValue.CreateFromTensor(OnnxNames.Latent, new DenseTensor<float>(codes, [20, 3]))]);
            var values = decoded.Single().AsTensor<float>().ToArray();
            for (int i = 0; i < values.Length; i++)
                Assert.AreEqual(restored[i], values[i], 1e-5 * Math.Max(1, Math.Abs(values[i])));
        }

        var samples = model.Sample(2000, seed: 4);
        CollectionAssert.AreEqual(samples[7], model.Sample(2000, seed: 4)[7], "seeded");
        for (int c = 0; c < 10; c++)
        {
            double sampleMean = samples.Average(r => r[c]);
            double dataMean = Enumerable.Range(0, rows.Rows).Average(r => rows.Row(r)[c]);
            double dataStd = Math.Sqrt(Enumerable.Range(0, rows.Rows).Average(r => Math.Pow(rows.Row(r)[c] - dataMean, 2)));
            Assert.AreEqual(dataMean, sampleMean, 0.5 * dataStd, $"feature {c}");
        }

        using var stream = new MemoryStream();
        context.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = (Autoencoders.ML.Scoring.AutoencoderTransformer)new MLContext().Model.LoadWithAutoencoders(stream, out _);
        CollectionAssert.AreEqual(samples[7], loaded.Sample(2000, seed: 4)[7], "the loaded stage samples the same");

        using var plain = context.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options { NumberOfEpochs = 1, Seed = 1 }).Fit(data);
        Assert.ThrowsExactly<InvalidOperationException>(() => plain.Sample(1, 1));
    }
}
