// Latent features for an ML.NET classifier, on handwritten digits (8×8 pixels): the same SdcaMaximumEntropy trainer on
// the 64 raw pixels and on a 16-unit denoising-autoencoder code, and a PNG of a 2-unit code colored by digit.
using System.Globalization;
using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.Features;
using Autoencoders.Training.Corruptions;
using Microsoft.ML;
using Microsoft.ML.Data;

const int Seed = 7;
string dataPath = Path.Combine(AppContext.BaseDirectory, "data", "digits.csv");
var digits = File.ReadLines(dataPath).Select(line =>
{
    var fields = line.Split(',').Select(f => float.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    return new Digit { Pixels = fields[..64], Label = (uint)fields[64] };
}).ToList();

var mlContext = new MLContext(seed: Seed);
var split = mlContext.Data.TrainTestSplit(mlContext.Data.LoadFromEnumerable(digits), testFraction: 0.3, seed: Seed);
Console.WriteLine($"Handwritten digits: {digits.Count} images of 8×8 pixels, 30% held out for testing.");

double Accuracy(IEstimator<ITransformer> features, string column)
{
    var pipeline = features
        .Append(mlContext.Transforms.Conversion.MapValueToKey("Key", "Label"))
        .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Key", column));
    var model = pipeline.Fit(split.TrainSet);
    return mlContext.MulticlassClassification.Evaluate(model.Transform(split.TestSet), "Key").MicroAccuracy;
}

// The same classifier on raw pixels, and on a 16-unit denoising autoencoder's code (masking noise, 25% of pixels).
double raw = Accuracy(mlContext.Transforms.CopyColumns("Input", "Pixels"), "Input");
var featurizer = mlContext.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options
{
    FeatureColumnName = "Pixels",
    LatentColumnName = "Code",
    HiddenLayerSizes = [64],
    LatentSize = 16,
    Corruptions = [Corruption.Masking(0.25)],
    NumberOfEpochs = 150,
    Seed = Seed,
});
double latent = Accuracy(featurizer, "Code");

// A 2-unit code to look at: one point per test image, colored by its digit.
var planar = mlContext.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options
{
    FeatureColumnName = "Pixels",
    LatentColumnName = "Code",
    HiddenLayerSizes = [64, 16],
    LatentSize = 2,
    NumberOfEpochs = 300,
    Seed = Seed,
}).Fit(split.TrainSet);
var test = planar.Transform(split.TestSet);
var codes = test.GetColumn<float[]>("Code").ToList();
var labels = test.GetColumn<uint>("Label").ToList();
string plot = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "digits-latent-2d.png");
Plots.Scatter(plot, codes, labels.Select(l => (int)l).ToList(), Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
    "2-unit autoencoder code of the test digits", "code unit 1", "code unit 2");

Console.WriteLine();
Console.WriteLine("| Features (SdcaMaximumEntropy)      | Dim | Test accuracy |");
Console.WriteLine("|------------------------------------|-----|---------------|");
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"| Raw pixels                         |  64 | {raw,13:F4} |"));
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"| Denoising autoencoder code         |  16 | {latent,13:F4} |"));
Console.WriteLine($"2-D code of the {codes.Count} test images, colored by digit: {plot}");
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"latent accuracy: {latent:F4}; raw accuracy: {raw:F4}"));

internal sealed class Digit
{
    [VectorType(64)] public float[] Pixels { get; set; } = [];
    public uint Label { get; set; }
}
