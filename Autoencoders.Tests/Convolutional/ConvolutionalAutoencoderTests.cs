using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Trainers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Autoencoders.Tests.Convolutional;

[TestClass]
public sealed class ConvolutionalAutoencoderTests
{
    // Odd and uneven sizes on purpose: every level's size must be hit exactly on the way back up.
    public static IEnumerable<object[]> Variants =>
    [
        ["strided, nearest, batch norm, 1x11x9", new ImageShape(1, 11, 9), new ConvolutionalArchitecture { Channels = [6, 8], LatentSize = 8 }],
        ["max pooling, bilinear, spatial code, 3x8x8", new ImageShape(3, 8, 8), new ConvolutionalArchitecture { Channels = [4, 6], LatentSize = 0, Downsampling = Downsampling.MaxPooling, Upsampling = Upsampling.Bilinear, UseBatchNormalization = false, Activation = Activation.ReLU }],
        ["transposed, 5x5 kernel, 2x9x13", new ImageShape(2, 9, 13), new ConvolutionalArchitecture { Channels = [4, 8, 8], LatentSize = 6, KernelSize = 5, Upsampling = Upsampling.TransposedConvolution, Activation = Activation.Tanh }],
        ["U-Net skips, 1x12x12", new ImageShape(1, 12, 12), new ConvolutionalArchitecture { Channels = [4, 8, 8], LatentSize = 0, SkipConnections = true }],
        ["U-Net skips, full-resolution blocks, 2x9x7", new ImageShape(2, 9, 7), new ConvolutionalArchitecture { Channels = [4, 8], LatentSize = 0, SkipConnections = true, FullResolutionBlocks = 2 }],
        ["full-resolution block, no batch norm, code, 1x10x10", new ImageShape(1, 10, 10), new ConvolutionalArchitecture { Channels = [4, 8], LatentSize = 6, FullResolutionBlocks = 1, UseBatchNormalization = false }],
        ["average pooling, sigmoid, 1x7x11", new ImageShape(1, 7, 11), new ConvolutionalArchitecture { Channels = [16, 16], LatentSize = 5, Downsampling = Downsampling.AveragePooling, Activation = Activation.Sigmoid }],
    ];

    private static TrainedAutoencoder Train(ImageShape shape, ConvolutionalArchitecture architecture, int epochs = 3, int seed = 7) =>
        new AutoencoderTrainer(new TrainerOptions { Convolutional = architecture, ImageShape = shape, NumberOfEpochs = epochs, BatchSize = 16, Seed = seed })
            .Fit(SyntheticImages.Blobs(80, shape, seed: 3));

    [TestMethod]
    [DynamicData(nameof(Variants))]
    public void OnnxRuntime_AgreesWithTorchSharp(string name, ImageShape shape, ConvolutionalArchitecture architecture)
    {
        using var trained = Train(shape, architecture);
        var data = SyntheticImages.Stripes(20, shape, seed: 5);
        var expected = trained.Predict(data);
        var actual = Ort.Run(trained.ExportOnnx(0.5f).ToBytes(), data, out var labels);

        Floats.AssertClose(expected.Reconstruction.Values, actual[OnnxNames.Reconstruction], 1e-5, name + " reconstruction");
        Floats.AssertClose(expected.Latent.Values, actual[OnnxNames.Latent], 1e-5, name + " latent");
        Floats.AssertClose(expected.FeatureErrors.Values, actual[OnnxNames.FeatureErrors], 1e-5, name + " feature errors");
        Floats.AssertClose(expected.Scores, actual[OnnxNames.Score], 1e-5, name + " score");
        CollectionAssert.AreEqual(actual[OnnxNames.Score].Select(s => s > 0.5f).ToArray(), labels);
        Assert.AreEqual("convolutional", trained.ExportOnnx(0.5f).Metadata[OnnxNames.KindKey]);
        Assert.AreEqual(shape.ToString(), trained.ExportOnnx(0.5f).Metadata[OnnxNames.ImageShapeKey]);
    }

    [TestMethod]
    public void OnnxChecker_AcceptsEveryVariant()
    {
        foreach (var variant in Variants)
        {
            using var trained = Train((ImageShape)variant[1], (ConvolutionalArchitecture)variant[2], epochs: 1);
            OnnxChecker.AssertAccepts(trained.ExportOnnx(0.1f).ToBytes(), (string)variant[0]);
        }
    }

    [TestMethod]
    public void ExportedDecoder_DecodesTheLatentOutput()
    {
        var shape = new ImageShape(1, 11, 9);
        using var trained = Train(shape, new ConvolutionalArchitecture { Channels = [6, 8], LatentSize = 8 });
        var data = SyntheticImages.Blobs(10, shape, seed: 9);
        var expected = trained.Predict(data);
        using var session = new InferenceSession(trained.ExportDecoderOnnx());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxNames.Latent, new DenseTensor<float>(expected.Latent.Values, [data.Rows, trained.LatentSize]))]);
        Floats.AssertClose(expected.Reconstruction.Values, results.Single().AsTensor<float>().ToArray(), 1e-5, "decoded");
    }

    [TestMethod]
    public void UNetDecoder_CannotBeExportedAlone()
    {
        var shape = new ImageShape(1, 8, 8);
        using var trained = Train(shape, new ConvolutionalArchitecture { Channels = [4, 4], SkipConnections = true }, epochs: 1);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => trained.ExportDecoderOnnx());
        StringAssert.Contains(error.Message, "skip connections");
    }

    [TestMethod]
    public void FullResolutionDecoder_ReadsTheInput_SoCannotBeExportedAlone()
    {
        var shape = new ImageShape(1, 8, 8);
        using var trained = Train(shape, new ConvolutionalArchitecture { Channels = [4, 4], LatentSize = 4, FullResolutionBlocks = 1 }, epochs: 1);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => trained.ExportDecoderOnnx());
        StringAssert.Contains(error.Message, "full-resolution");
    }

    [TestMethod]
    public void SameSeed_GivesIdenticalModels()
    {
        var shape = new ImageShape(1, 11, 9);
        var architecture = new ConvolutionalArchitecture { Channels = [4, 8], LatentSize = 6 };
        using var first = Train(shape, architecture, epochs: 2, seed: 3);
        using var second = Train(shape, architecture, epochs: 2, seed: 3);
        using var other = Train(shape, architecture, epochs: 2, seed: 4);
        CollectionAssert.AreEqual(first.ExportOnnx(1f).ToBytes(), second.ExportOnnx(1f).ToBytes());
        CollectionAssert.AreNotEqual(first.ExportOnnx(1f).ToBytes(), other.ExportOnnx(1f).ToBytes());
    }

    [TestMethod]
    public void Standardization_IsPooledPerChannel()
    {
        var shape = new ImageShape(2, 6, 5);
        var data = SyntheticImages.Blobs(40, shape, seed: 2);
        using var trained = Train(shape, new ConvolutionalArchitecture { Channels = [4], LatentSize = 4 }, epochs: 1);
        int pixels = shape.Height * shape.Width;
        var training = SyntheticImages.Blobs(80, shape, seed: 3);
        for (int c = 0; c < shape.Channels; c++)
        {
            var values = Enumerable.Range(0, training.Rows).SelectMany(r => training.Row(r).Slice(c * pixels, pixels).ToArray()).Select(v => (double)v).ToArray();
            double mean = values.Average(), std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
            for (int f = c * pixels; f < (c + 1) * pixels; f++)
            {
                Assert.AreEqual(mean, trained.Standardizer.Mean[f], 1e-5, $"channel {c} mean at feature {f}");
                Assert.AreEqual(1 / std, trained.Standardizer.Scale[f], 1e-3 / std, $"channel {c} scale at feature {f}");
                Assert.AreEqual(values.Min(), trained.Standardizer.Minimum[f], 1e-6);
                Assert.AreEqual(values.Max(), trained.Standardizer.Maximum[f], 1e-6);
            }
        }
    }

    [TestMethod]
    public void Standardization_PerFeature_KeepsEachPixelsOwnStatistics_AndPerChannelNeedsAShape()
    {
        var shape = new ImageShape(1, 6, 5);
        var data = SyntheticImages.Blobs(60, shape, seed: 4);
        using var trained = new AutoencoderTrainer(new TrainerOptions
        {
            Convolutional = new ConvolutionalArchitecture { Channels = [16], LatentSize = 4 }, ImageShape = shape, NumberOfEpochs = 1,
            Standardization = Standardization.PerFeature,
        }).Fit(data);
        var perFeature = Standardizer.Fit(data);
        CollectionAssert.AreEqual(perFeature.Mean, trained.Standardizer.Mean);
        CollectionAssert.AreEqual(perFeature.Scale, trained.Standardizer.Scale);

        var error = Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(new TrainerOptions { Standardization = Standardization.PerChannel }));
        Assert.AreEqual(nameof(TrainerOptions.Standardization), error.ParamName);
    }

    [TestMethod]
    public void ScoresImagesUnlikeTheTrainingImagesHigher()
    {
        var shape = new ImageShape(1, 12, 12);
        using var trained = new AutoencoderTrainer(new TrainerOptions
        {
            Convolutional = new ConvolutionalArchitecture { Channels = [16, 32], LatentSize = 8 },
            ImageShape = shape, NumberOfEpochs = 30, BatchSize = 32, Seed = 1,
        }).Fit(SyntheticImages.Blobs(400, shape, seed: 1));
        var normal = trained.Score(SyntheticImages.Blobs(100, shape, seed: 2));
        var anomalies = trained.Score(SyntheticImages.Stripes(100, shape, seed: 3));
        double auc = normal.Average(n => anomalies.Average(a => a > n ? 1.0 : a == n ? 0.5 : 0.0));
        Assert.IsGreaterThan(0.95, auc, $"AUC {auc}");
    }

    [TestMethod]
    public void BadSettings_AreRejectedByName()
    {
        var shape = new ImageShape(1, 8, 8);
        var noShape = Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(new TrainerOptions { Convolutional = new() }));
        Assert.AreEqual(nameof(TrainerOptions.ImageShape), noShape.ParamName);
        var even = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new TrainerOptions { Convolutional = new() { KernelSize = 4 }, ImageShape = shape }));
        Assert.AreEqual(nameof(ConvolutionalArchitecture.KernelSize), even.ParamName);
        var empty = Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(new TrainerOptions { Convolutional = new() { Channels = [] }, ImageShape = shape }));
        Assert.AreEqual(nameof(ConvolutionalArchitecture.Channels), empty.ParamName);
        var variational = Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(new TrainerOptions
        {
            Convolutional = new(), ImageShape = shape, Variational = true,
        }));
        Assert.AreEqual(nameof(TrainerOptions.Variational), variational.ParamName); // the dense setting that must stay at its default
        var blocks = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new TrainerOptions { Convolutional = new() { FullResolutionBlocks = -1 }, ImageShape = shape }));
        Assert.AreEqual(nameof(ConvolutionalArchitecture.FullResolutionBlocks), blocks.ParamName);
        var stacked = Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(new TrainerOptions { Convolutional = new(), ImageShape = shape, PretrainingEpochs = 2 }));
        Assert.AreEqual(nameof(TrainerOptions.PretrainingEpochs), stacked.ParamName);

        var trainer = new AutoencoderTrainer(new TrainerOptions { Convolutional = new(), ImageShape = shape, NumberOfEpochs = 1 });
        var mismatch = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(SyntheticData.Uniform(10, 63, seed: 1)));
        StringAssert.Contains(mismatch.Message, "63 features");
    }
}
