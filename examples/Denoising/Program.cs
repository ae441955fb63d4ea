// Denoising Fashion-MNIST images (Debian's dataset-fashion-mnist) through mlContext.Transforms.Denoise: the stage gets
// only the image shape and the corruption to undo, and picks its image architecture itself (a residual U-Net). It trains
// on clean training images corrupted afresh every minibatch, restores noisy test images, prints the PSNR before and
// after, and writes the before/after picture.
using System.Globalization;
using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.Denoising;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

int trainImages = Option("--train-images", 3000);
int testImages = Option("--test-images", 1000);
int epochs = Option("--epochs", 0); // 0: the stage's automatic count
double sigma = Option("--sigma-percent", 30) / 100.0;
string output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), "fmnist-denoised.png");
var c = CultureInfo.InvariantCulture;

var (train, _) = FashionMnist.Load(training: true, trainImages);
var (test, _) = FashionMnist.Load(training: false, testImages);
var shape = new ImageShape(1, FashionMnist.Side, FashionMnist.Side);
var noise = Corruption.GaussianNoise(sigma, 0, 1);                // pixels stay in [0, 1]
var noisy = noise.Apply(test, seed: 7, shape);                     // the test images as a user would receive them

var mlContext = new MLContext(seed: 1);
var denoiser = mlContext.Transforms.Denoise(new AutoencoderDenoisingEstimator.Options
{
    FeatureColumnName = "Pixels",
    ReconstructionColumnName = "Restored",
    ImageShape = shape,
    Corruptions = [noise],
    NumberOfEpochs = epochs,
    Seed = 1,
}).Fit(Load(mlContext, train));
Console.WriteLine($"Trained {denoiser.Training!.Architecture} on {train.Rows} clean images for {denoiser.Training.History.Count} epochs.");

var restored = FeatureMatrix.FromRows(denoiser.Transform(Load(mlContext, noisy)).GetColumn<float[]>("Restored").ToList());
double before = Images.Psnr(noisy, test), after = Images.Psnr(restored, test);
Images.WriteGrid(output,
[
    new("clean", Rows(test, 10)),
    new(string.Create(c, $"noisy, Gaussian σ={sigma}\n{before:F1} dB"), Rows(noisy, 10)),
    new(string.Create(c, $"restored by Denoise\n{after:F1} dB"), Rows(restored, 10)),
], FashionMnist.Side, FashionMnist.Side, scale: 3, title: string.Create(c, $"Denoise on {test.Rows} Fashion-MNIST test images: {before:F2} dB → {after:F2} dB"));
Console.WriteLine($"Wrote {output}: clean, noisy and restored test images.");
Console.WriteLine(string.Create(c, $"PSNR: noisy {before:F2} dB; restored {after:F2} dB"));

int Option(string name, int fallback)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static List<float[]> Rows(FeatureMatrix images, int count) => Enumerable.Range(0, count).Select(i => images.Row(i).ToArray()).ToList();

static IDataView Load(MLContext context, FeatureMatrix images)
{
    var schema = SchemaDefinition.Create(typeof(Image));
    schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, images.Columns);
    return context.Data.LoadFromEnumerable(Enumerable.Range(0, images.Rows).Select(r => new Image { Pixels = images.Row(r).ToArray() }).ToList(), schema);
}

internal sealed class Image
{
    public float[] Pixels { get; set; } = [];
}
