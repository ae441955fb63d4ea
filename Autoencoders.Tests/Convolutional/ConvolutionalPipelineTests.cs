using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.ML.Denoising;
using Autoencoders.ML.Features;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Convolutional;

/// <summary>Convolutional models as ML.NET stages: fed by ML.NET's image pipeline, saved and reloaded, denoising and featurizing.</summary>
[TestClass]
public sealed class ConvolutionalPipelineTests
{
    private sealed class ImageFile
    {
        public string ImagePath { get; set; } = "";
        public float Label { get; set; }
    }

    /// <summary>Writes the rows of <paramref name="images"/> (3 channels, values in [0, 1]) as RGB PNG files.</summary>
    private static IEnumerable<ImageFile> WritePngs(string folder, FeatureMatrix images, ImageShape shape, string prefix, bool anomaly)
    {
        for (int r = 0; r < images.Rows; r++)
        {
            var pixels = new byte[shape.Height, shape.Width, 3];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < shape.Height; y++)
                    for (int x = 0; x < shape.Width; x++)
                        pixels[y, x, c] = (byte)Math.Round(255 * Math.Clamp(images.Row(r)[(c * shape.Height + y) * shape.Width + x], 0f, 1f));
            string name = $"{prefix}-{r}.png";
            Images.WriteRgb(Path.Combine(folder, name), pixels);
            yield return new ImageFile { ImagePath = name, Label = anomaly ? 1f : 0f };
        }
    }

    [TestMethod]
    public void ImagePipeline_LoadImagesExtractPixels_FeedsAConvolutionalDetector_ThatSavesAndReloads()
    {
        var shape = new ImageShape(3, 12, 12);
        string folder = Directory.CreateTempSubdirectory("conv-images-").FullName;
        try
        {
            var trainFiles = WritePngs(folder, SyntheticImages.Blobs(300, shape, seed: 1), shape, "train", false).ToList();
            var testFiles = WritePngs(folder, SyntheticImages.Blobs(60, shape, seed: 2), shape, "normal", false)
                .Concat(WritePngs(folder, SyntheticImages.Stripes(30, shape, seed: 3), shape, "stripes", true)).ToList();
            var context = new MLContext(seed: 1);
            var pipeline = context.Transforms.LoadImages("Image", folder, nameof(ImageFile.ImagePath))
                .Append(context.Transforms.ResizeImages("Image", shape.Width, shape.Height))
                .Append(context.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255))
                .Append(context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
                {
                    Convolutional = new ConvolutionalArchitecture { Channels = [16, 32], LatentSize = 8 },
                    ImageShape = shape,
                    NumberOfEpochs = 15,
                    Seed = 3,
                }));
            var model = pipeline.Fit(context.Data.LoadFromEnumerable(trainFiles));
            var test = context.Data.LoadFromEnumerable(testFiles);
            var scored = model.Transform(test);
            double auc = context.AnomalyDetection.Evaluate(scored).AreaUnderRocCurve;
            Assert.IsGreaterThan(0.9, auc, $"AUC {auc}");

            string path = Path.Combine(folder, "model.zip");
            context.Model.Save(model, context.Data.LoadFromEnumerable(trainFiles).Schema, path);
            var scores = scored.GetColumn<float>("Score").ToArray();
            var reloaded = new MLContext(seed: 2).Model.LoadWithAutoencoders(path, out _).Transform(test).GetColumn<float>("Score").ToArray();
            CollectionAssert.AreEqual(scores, reloaded);
            var plain = new MLContext(seed: 3).Model.Load(path, out _).Transform(test).GetColumn<float>("Score").ToArray();
            Floats.AssertClose(scores, plain, Floats.ScoreRowVersusBatch, what: "score (ML.NET's own Load)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void DenseSettings_WithConvolutional_AreRejectedByName()
    {
        var context = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
        {
            Convolutional = new ConvolutionalArchitecture(), ImageShape = new ImageShape(1, 8, 8), LatentSize = 8,
        }));
        Assert.AreEqual("LatentSize", error.ParamName);
        var noShape = Assert.ThrowsExactly<ArgumentException>(() => context.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options
        {
            LatentColumnName = "Code", Convolutional = new ConvolutionalArchitecture(),
        }));
        Assert.AreEqual("ImageShape", noShape.ParamName);
    }

    [TestMethod]
    public void ConvolutionalDenoiser_WithSkipConnections_RestoresNoisyImages()
    {
        var shape = new ImageShape(1, 16, 16);
        var context = new MLContext(seed: 1);
        var clean = SyntheticImages.Blobs(80, shape, seed: 5);
        var noisy = Corruption.GaussianNoise(0.2).Apply(clean, seed: 6, shape);
        var estimator = context.Transforms.Denoise(new AutoencoderDenoisingEstimator.Options
        {
            ReconstructionColumnName = "Restored",
            Convolutional = new ConvolutionalArchitecture { Channels = [16, 32], LatentSize = 0, SkipConnections = true },
            ImageShape = shape,
            Corruptions = [Corruption.GaussianNoise(0.2)],
            NumberOfEpochs = 30,
            Seed = 2,
        });
        var model = estimator.Fit(FeatureRow.Load(context, FeatureRow.From(SyntheticImages.Blobs(600, shape, seed: 4), false), shape.Size));
        var restored = FeatureMatrix.FromRows(model.Transform(FeatureRow.Load(context, FeatureRow.From(noisy, false), shape.Size)).GetColumn<float[]>("Restored").ToList());
        double Error(FeatureMatrix m) => m.Values.Zip(clean.Values).Average(p => (p.First - p.Second) * (p.First - p.Second));
        Console.WriteLine($"mean squared error to the clean images: noisy {Error(noisy):F5}, restored {Error(restored):F5}");
        Assert.IsLessThan(Error(noisy) / 3, Error(restored));
    }

    [TestMethod]
    public void ConvolutionalFeaturizer_WritesTheCode_OfTheDeclaredSize()
    {
        var shape = new ImageShape(1, 12, 12);
        var context = new MLContext(seed: 1);
        var data = FeatureRow.Load(context, FeatureRow.From(SyntheticImages.Blobs(100, shape, seed: 1), false), shape.Size);
        var estimator = context.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options
        {
            LatentColumnName = "Code",
            Convolutional = new ConvolutionalArchitecture { Channels = [16, 32], LatentSize = 6 },
            ImageShape = shape,
            NumberOfEpochs = 2,
            Seed = 1,
        });
        var planned = estimator.GetOutputSchema(Autoencoders.ML.Interop.MLNetInternals.ShapeOf(data.Schema));
        Assert.IsTrue(planned.Any(c => c.Name == "Code" && c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single));
        var codes = estimator.Fit(data).Transform(data);
        Assert.AreEqual(6, ((VectorDataViewType)codes.Schema["Code"].Type).Size);
        Assert.HasCount(100, codes.GetColumn<float[]>("Code").Where(c => c.Length == 6 && c.All(float.IsFinite)).ToList());
    }
}
