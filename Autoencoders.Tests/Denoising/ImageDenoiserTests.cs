using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.Denoising;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Denoising;

/// <summary>
/// Residual autoencoders (the layers' correction added to the input) and the denoiser's image default: the residual U-Net
/// with a full-resolution block.
/// </summary>
[TestClass]
public sealed class ImageDenoiserTests
{
    private static readonly ImageShape Shape = new(1, 12, 12);

    public static IEnumerable<object[]> ResidualModels =>
    [
        ["dense", new TrainerOptions { Residual = true, HiddenLayerSizes = [16], LatentSize = 4, NumberOfEpochs = 3, Seed = 5 }],
        ["image denoiser", new TrainerOptions { Residual = true, Convolutional = AutoencoderDefaults.ImageDenoiser(), ImageShape = Shape, NumberOfEpochs = 3, BatchSize = 16, Seed = 5 }],
    ];

    [TestMethod]
    [DynamicData(nameof(ResidualModels))]
    public void Residual_OnnxRuntime_AgreesWithTorchSharp(string name, TrainerOptions options)
    {
        using var trained = new AutoencoderTrainer(options).Fit(SyntheticImages.Blobs(64, Shape, seed: 1));
        var data = SyntheticImages.Stripes(10, Shape, seed: 2);
        var expected = trained.Predict(data);
        var actual = Ort.Run(trained.ExportOnnx(0.5f).ToBytes(), data, out _);

        Floats.AssertClose(expected.Reconstruction.Values, actual[OnnxNames.Reconstruction], 1e-5, name + " reconstruction");
        Floats.AssertClose(expected.Scores, actual[OnnxNames.Score], 1e-5, name + " score");
        StringAssert.Contains(trained.Architecture, "residual", name);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => trained.ExportDecoderOnnx(), name);
        StringAssert.Contains(error.Message, "residual");
    }

    [TestMethod]
    public void Denoise_OnImageRows_UsesTheResidualUNet_AndRestoresNoisyImages()
    {
        var context = new MLContext(seed: 1);
        var noise = Corruption.GaussianNoise(0.2, 0, 1);
        var clean = Clip(SyntheticImages.Blobs(100, Shape, seed: 4));
        var noisy = noise.Apply(clean, seed: 9, Shape);
        var denoiser = context.Transforms.Denoise(new AutoencoderDenoisingEstimator.Options
        {
            ReconstructionColumnName = "Restored",
            ImageShape = Shape,
            Corruptions = [noise],
            NumberOfEpochs = 15,
            Seed = 2,
        }).Fit(Load(context, Clip(SyntheticImages.Blobs(600, Shape, seed: 3))));

        StringAssert.Contains(denoiser.Training!.Architecture, "32-64-128-256");
        StringAssert.Contains(denoiser.Training.Architecture, "U-Net skips, 1 full-resolution block, residual");
        var restored = FeatureMatrix.FromRows(denoiser.Transform(Load(context, noisy)).GetColumn<float[]>("Restored").ToList());
        double before = Images.Psnr(noisy, clean), after = Images.Psnr(restored, clean);
        Assert.IsGreaterThan(before + 3, after, $"noisy {before:F2} dB, restored {after:F2} dB");
    }

    [TestMethod]
    public void Denoise_WithAnArchitectureGiven_KeepsIt()
    {
        var context = new MLContext(seed: 1);
        var denoiser = context.Transforms.Denoise(new AutoencoderDenoisingEstimator.Options
        {
            ReconstructionColumnName = "Restored",
            ImageShape = Shape,
            Convolutional = new ConvolutionalArchitecture { Channels = [16], LatentSize = 4 },
            Corruptions = [Corruption.GaussianNoise(0.2, 0, 1)],
            NumberOfEpochs = 1,
        }).Fit(Load(context, SyntheticImages.Blobs(40, Shape, seed: 3)));
        StringAssert.DoesNotMatch(denoiser.Training!.Architecture, new System.Text.RegularExpressions.Regex("residual|full-resolution"));
    }

    private static IDataView Load(MLContext context, FeatureMatrix data) => FeatureRow.Load(context, FeatureRow.From(data, false), data.Columns);

    private static FeatureMatrix Clip(FeatureMatrix data) => new(data.Values.Select(v => Math.Clamp(v, 0f, 1f)).ToArray(), data.Rows, data.Columns);
}
