using Autoencoders.Tests.Support;
using Autoencoders.Training.Models;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Trainers;

namespace Autoencoders.Tests.Onnx;

[TestClass]
public sealed class ExportTests
{
    private static TrainedAutoencoder Train(Activation activation, bool batchNorm = false, double dropout = 0)
    {
        var options = new TrainerOptions
        {
            NumberOfEpochs = 5,
            Seed = 11,
            HiddenLayerSizes = [20, 12], LatentSize = 4, Activation = activation, UseBatchNormalization = batchNorm, DropoutRate = dropout,
        };
        return new AutoencoderTrainer(options).Fit(SyntheticData.Normal(150, 9, seed: 5));
    }

    [TestMethod]
    [DataRow(Activation.ReLU, false, 0.0)]
    [DataRow(Activation.LeakyReLU, true, 0.0)]
    [DataRow(Activation.Tanh, false, 0.2)]
    [DataRow(Activation.GELU, true, 0.1)]
    [DataRow(Activation.Sigmoid, false, 0.0)]
    public void OnnxRuntime_AgreesWithTorchSharp(Activation activation, bool batchNorm, double dropout)
    {
        using var trained = Train(activation, batchNorm, dropout);
        var data = SyntheticData.Uniform(64, 9, seed: 9);
        for (int r = 0; r < data.Rows; r++)
            for (int c = 0; c < data.Columns; c++)
                data.Row(r)[c] = data.Row(r)[c] * 3 + 10 * c;
        var expected = trained.Predict(data);
        var actual = Ort.Run(trained.ExportOnnx(0.25f).ToBytes(), data, out var labels);

        AssertClose(expected.Reconstruction.Values, actual[OnnxNames.Reconstruction], 1e-5, relative: true);
        // Relative to max(1, |value|): a code value near 70 (this test's inputs are shifted by up to 80) is only resolved
        // to ~8e-6 by float32 itself.
        AssertClose(expected.Latent.Values, actual[OnnxNames.Latent], 1e-5, relative: true);
        AssertClose(expected.FeatureErrors.Values, actual[OnnxNames.FeatureErrors], 1e-5, relative: true);
        AssertClose(expected.Scores, actual[OnnxNames.Score], 1e-5, relative: true);
        CollectionAssert.AreEqual(actual[OnnxNames.Score].Select(s => s > 0.25f).ToArray(), labels);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, bool relative = false)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = relative ? tolerance * Math.Max(1, Math.Abs(expected[i])) : tolerance;
            Assert.AreEqual(expected[i], actual[i], allowed, $"element {i}");
        }
    }

    [TestMethod]
    public void OnnxChecker_AcceptsTheExportedGraph()
    {
        using var trained = Train(Activation.GELU, batchNorm: true, dropout: 0.1);
        OnnxChecker.AssertAccepts(trained.ExportOnnx(0.1f).ToBytes());
    }

    [TestMethod]
    public void NonFiniteInputRow_ScoresInfinityAndIsFlagged()
    {
        using var trained = Train(Activation.ReLU);
        var data = SyntheticData.Normal(3, 9, seed: 4);
        data.Row(1)[2] = float.NaN;
        data.Row(2)[0] = float.PositiveInfinity;
        var scores = Ort.Run(trained.ExportOnnx(1e6f).ToBytes(), data, out var labels)[OnnxNames.Score];
        Assert.IsTrue(float.IsFinite(scores[0]));
        Assert.AreEqual(float.PositiveInfinity, scores[1]);
        Assert.AreEqual(float.PositiveInfinity, scores[2]);
        CollectionAssert.AreEqual(new[] { false, true, true }, labels);
    }

    [TestMethod]
    public void Metadata_RecordsVersionArchitectureThresholdAndTraining()
    {
        using var trained = Train(Activation.Tanh);
        var model = trained.ExportOnnx(0.375f);
        Assert.AreEqual("0.375", model.Metadata[OnnxNames.ThresholdKey]);
        Assert.AreEqual("9-20-12-4-12-20-9 Tanh", model.Metadata[OnnxNames.ArchitectureKey]);
        StringAssert.Contains(model.Metadata[OnnxNames.TrainingKey], "seed=11");
        Assert.AreEqual("0.2.0", model.Metadata[OnnxNames.VersionKey]); // Directory.Build.props Version
        Assert.AreEqual(9, model.InputSize);
        Assert.AreEqual(4, model.LatentSize);
        var changed = model.WithThreshold(2f);
        Assert.AreEqual(2f, AutoencoderOnnxModel.FromBytes(changed.ToBytes()).Threshold);
        Assert.AreEqual("2", changed.Metadata[OnnxNames.ThresholdKey]);
    }

    [TestMethod]
    public void CorruptedOrForeignBytes_GiveClearErrors()
    {
        using var trained = Train(Activation.ReLU);
        byte[] bytes = trained.ExportOnnx(0.1f).ToBytes();
        var truncated = bytes[..(bytes.Length / 2)];
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderOnnxModel.FromBytes(truncated)).Message, "ONNX");
        var garbage = Enumerable.Range(0, 500).Select(i => (byte)(i * 37 % 251)).ToArray();
        Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderOnnxModel.FromBytes(garbage));
        Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderOnnxModel.FromBytes([]));
        Assert.ThrowsExactly<FileNotFoundException>(() => AutoencoderOnnxModel.Load("/nonexistent/model.onnx"));
    }
}
