// Image anomaly detection on Fashion-MNIST through ML.NET's image pipeline: the test images are written as PNG files,
// read back with LoadImages → ResizeImages → ExtractPixels, and scored by a convolutional autoencoder trained on one
// class only (the normal class). Prints the AUC-ROC over all 10,000 test images (normal = that class) and writes a PNG
// of the most and the least anomalous test images above their reconstructions.
//
//   dotnet run -c Release --project examples/ImageAnomalyDetection [-- --class 7 --epochs 10 --train-images 6000 --test-images 10000 --output PATH]
//
// Needs Debian's dataset-fashion-mnist package (sudo apt-get install dataset-fashion-mnist).
using System.Globalization;
using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

var classNames = FashionMnist.ClassNames;
int normalClass = Option("--class", 7);
int epochs = Option("--epochs", 10);
int trainLimit = Option("--train-images", 6000);
int testLimit = Option("--test-images", 10000);
string output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), "fmnist-anomalies.png");
const int Side = FashionMnist.Side;

// 1. Fashion-MNIST as PNG files, the way images usually reach an ML.NET pipeline.
var (trainImages, trainLabels) = FashionMnist.Load(training: true);
var (testImages, testLabels) = FashionMnist.Load(training: false);
string folder = Directory.CreateTempSubdirectory("fmnist-").FullName;
var trainFiles = Enumerable.Range(0, trainImages.Rows).Where(i => trainLabels[i] == normalClass).Take(trainLimit)
    .Select(i => new ImageFile { ImagePath = WritePng(trainImages.Row(i), $"train-{i}.png") }).ToList();
var testFiles = Enumerable.Range(0, Math.Min(testLimit, testImages.Rows))
    .Select(i => new ImageFile { ImagePath = WritePng(testImages.Row(i), $"test-{i}.png"), Label = testLabels[i] == normalClass ? 0f : 1f }).ToList();
Console.WriteLine($"Normal class {normalClass} ({classNames[normalClass]}): training on {trainFiles.Count} images; testing on {testFiles.Count} " +
                  $"({testFiles.Count(f => f.Label == 0)} normal, {testFiles.Count(f => f.Label == 1)} of the other nine classes).");

// 2. The pipeline: ML.NET's image transforms, then the convolutional anomaly detector on the 1×28×28 pixel vectors.
var mlContext = new MLContext(seed: 1);
var pipeline = mlContext.Transforms.LoadImages("Image", folder, nameof(ImageFile.ImagePath))
    .Append(mlContext.Transforms.ResizeImages("Image", Side, Side))
    .Append(mlContext.Transforms.ExtractPixels("Features", "Image", ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255))
    .Append(mlContext.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
    {
        // The library's defaults: 32-64 channels, strided, nearest upsampling, a 32-unit code, per-channel standardization
        // and the detector's Score — the training images nearest to each image, blurred by a pixel, at the best one-pixel
        // shift, and by their outlines (edge-orientation histograms) — did best on the benchmark's validation protocol (README, "One-class anomaly detection on Fashion-MNIST").
        Convolutional = new ConvolutionalArchitecture(),
        ImageShape = new ImageShape(1, Side, Side),
        NumberOfEpochs = epochs,
        BatchSize = 64,
        ReconstructionColumnName = "Reconstruction",
        Seed = 1,
    }));
var model = pipeline.Fit(mlContext.Data.LoadFromEnumerable(trainFiles));
var detector = model.LastTransformer;
Console.WriteLine($"Trained {detector.Training!.Architecture} for {detector.Training.History.Count} epochs; threshold {detector.Threshold:G4}.");

// 3. Score every test image; AUC-ROC and detection at the threshold.
var scored = model.Transform(mlContext.Data.LoadFromEnumerable(testFiles));
var metrics = mlContext.AnomalyDetection.Evaluate(scored);
var results = mlContext.Data.CreateEnumerable<ScoredImage>(scored, reuseRowObject: false).ToList();
int flaggedAnomalies = results.Count(r => r.PredictedLabel && r.Label == 1), flaggedNormal = results.Count(r => r.PredictedLabel && r.Label == 0);
Console.WriteLine($"At the threshold: {flaggedAnomalies} of {results.Count(r => r.Label == 1)} other-class images flagged, {flaggedNormal} of {results.Count(r => r.Label == 0)} normal ones.");

// 4. The most and least anomalous test images (top row pair) above their reconstructions.
const int Shown = 10;
var order = Enumerable.Range(0, results.Count).OrderByDescending(i => results[i].Score).ToList();
int[] most = [.. order.Take(Shown)], least = [.. order.TakeLast(Shown).Reverse()];
string Scores(int[] rows) => string.Join(" ", rows.Select(i => results[i].Score.ToString("G3", CultureInfo.InvariantCulture)));
Images.WriteGrid(output,
[
    new($"Most anomalous test images\nscores {Scores(most[..3])} …", most.Select(i => testImages.Row(i).ToArray()).ToList()),
    new("their reconstructions", most.Select(i => results[i].Reconstruction).ToList()),
    new($"Least anomalous test images\nscores {Scores(least[..3])} …", least.Select(i => testImages.Row(i).ToArray()).ToList()),
    new("their reconstructions", least.Select(i => results[i].Reconstruction).ToList()),
], Side, Side, scale: 3, title: $"Normal class: {classNames[normalClass]}; threshold {detector.Threshold:G4}, AUC {metrics.AreaUnderRocCurve:F4}");
Console.WriteLine($"Most anomalous: {string.Join(", ", most.Select(i => classNames[testLabels[i]]))}.");
Console.WriteLine($"Least anomalous: {string.Join(", ", least.Select(i => classNames[testLabels[i]]))}.");
Console.WriteLine($"Wrote {output}: rows 1-2 the {Shown} most anomalous test images and their reconstructions, rows 3-4 the {Shown} least anomalous.");

// 5. The whole pipeline saves with ML.NET; the detector's ONNX graph also runs without .NET.
string modelPath = Path.Combine(folder, "model.zip");
mlContext.Model.Save(model, null, modelPath);
detector.SaveOnnx(Path.Combine(folder, "detector.onnx"));
Directory.Delete(folder, recursive: true);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"AUC: {metrics.AreaUnderRocCurve:F4}"));

int Option(string name, int fallback)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

string WritePng(ReadOnlySpan<float> pixels, string name)
{
    var image = new float[Side, Side];
    for (int y = 0; y < Side; y++)
        for (int x = 0; x < Side; x++)
            image[y, x] = pixels[y * Side + x];
    Images.WriteGray(Path.Combine(folder, name), image);
    return name;
}

internal sealed class ImageFile
{
    public string ImagePath { get; set; } = "";
    /// <summary>1: another class (an anomaly); 0: the normal class.</summary>
    public float Label { get; set; }
}

internal sealed class ScoredImage
{
    public float Label { get; set; }
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
    public float[] Reconstruction { get; set; } = [];
}
