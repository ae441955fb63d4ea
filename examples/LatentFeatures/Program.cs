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
string plot = Path.Combine(Path.GetTempPath(), "digits-latent-2d.png");
ScatterPlot.Write(plot, codes, labels);

Console.WriteLine();
Console.WriteLine("| Features (SdcaMaximumEntropy)      | Dim | Test accuracy |");
Console.WriteLine("|------------------------------------|-----|---------------|");
Console.WriteLine($"| Raw pixels                         |  64 | {raw,13:F4} |");
Console.WriteLine($"| Denoising autoencoder code         |  16 | {latent,13:F4} |");
Console.WriteLine($"2-D code of the {codes.Count} test images, colored by digit (legend: 0 to 9 left to right): {plot}");
Console.WriteLine($"latent accuracy: {latent:F4}; raw accuracy: {raw:F4}");

internal sealed class Digit
{
    [VectorType(64)] public float[] Pixels { get; set; } = [];
    public uint Label { get; set; }
}

/// <summary>A scatter plot of 2-D points colored by class, with a legend strip, as a PNG.</summary>
internal static class ScatterPlot
{
    private static readonly byte[][] Palette =
    [
        [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
        [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
    ];

    public static void Write(string path, IReadOnlyList<float[]> points, IReadOnlyList<uint> classes)
    {
        const int Size = 600, Margin = 20, Legend = 30;
        var pixels = new byte[Size + Legend, Size, 3];
        for (int y = 0; y < Size + Legend; y++)
            for (int x = 0; x < Size; x++)
                for (int c = 0; c < 3; c++)
                    pixels[y, x, c] = 255;
        float minX = points.Min(p => p[0]), maxX = points.Max(p => p[0]), minY = points.Min(p => p[1]), maxY = points.Max(p => p[1]);
        for (int i = 0; i < points.Count; i++)
        {
            int px = Margin + (int)((points[i][0] - minX) / Math.Max(maxX - minX, 1e-6f) * (Size - 2 * Margin));
            int py = Size - Margin - (int)((points[i][1] - minY) / Math.Max(maxY - minY, 1e-6f) * (Size - 2 * Margin));
            Square(pixels, px, py, 2, Palette[classes[i] % 10]);
        }
        for (int k = 0; k < 10; k++)
            Square(pixels, Margin + k * (Size - 2 * Margin) / 9, Size + Legend / 2, 6, Palette[k]);
        Png.WriteRgb(path, pixels);
    }

    private static void Square(byte[,,] pixels, int cx, int cy, int radius, byte[] color)
    {
        for (int y = Math.Max(0, cy - radius); y <= Math.Min(pixels.GetLength(0) - 1, cy + radius); y++)
            for (int x = Math.Max(0, cx - radius); x <= Math.Min(pixels.GetLength(1) - 1, cx + radius); x++)
                for (int c = 0; c < 3; c++)
                    pixels[y, x, c] = color[c];
    }
}
