using System.Globalization;
using Autoencoders.Benchmarks.Support;
using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.Denoising;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Microsoft.ML;

namespace Autoencoders.Benchmarks.Denoise;

/// <summary>
/// <c>denoise</c>: Fashion-MNIST test-set PSNR of the corrupted input, of a 3×3 Gaussian blur and of our denoiser, for six
/// corruptions; each denoiser is trained (through <c>mlContext.Transforms.Denoise</c>) on the training images with the
/// corruption it is tested on. Options: <c>--epochs N</c> (default 10), <c>--train-rows N</c> (default 60000),
/// <c>--test-rows N</c> (default 10000), <c>--png PATH</c> (the image grid, default denoise-grid.png), <c>--model</c>
/// <c>dense</c> (default: 784-512-128-512-784 Tanh) or <c>unet</c> (convolutional, 32-64 channels, spatial code, U-Net
/// skips), <c>--corruptions 0,2</c> (indices into the table, default all).
/// </summary>
internal static class DenoiseCommand
{
    private static readonly ImageShape Shape = new(1, FashionMnist.Side, FashionMnist.Side);
    private const int GridImages = 8;

    public static int Run(Arguments arguments)
    {
        int epochs = arguments.Int("epochs", 10);
        int trainRows = arguments.Int("train-rows", 60_000);
        int testRows = arguments.Int("test-rows", 10_000);
        string png = arguments.String("png", "denoise-grid.png");
        bool unet = arguments.String("model", "dense") switch
        {
            "dense" => false,
            "unet" => true,
            var other => throw new ArgumentOutOfRangeException("--model", other, "Expected dense or unet."),
        };
        void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

        var (train, _) = FashionMnist.Load(training: true, trainRows);
        var (test, _) = FashionMnist.Load(training: false, testRows);
        var context = new MLContext(seed: 1);
        var trainView = DataViews.FromMatrix(context, train);

        (string Name, Corruption Corruption)[] settings =
        [
            ("Gaussian σ=0.1", Corruption.GaussianNoise(0.1, 0, 1)),
            ("Gaussian σ=0.3", Corruption.GaussianNoise(0.3, 0, 1)),
            ("Gaussian σ=0.5", Corruption.GaussianNoise(0.5, 0, 1)),
            ("Masking 50%", Corruption.Masking(0.5)),
            ("Salt-and-pepper 10%", Corruption.SaltAndPepper(0.1)),
            ("Block 10×10", Corruption.BlockMasking(1, 10)),
        ];
        if (arguments.String("corruptions", "") is { Length: > 0 } chosen)
            settings = chosen.Split(',').Select(i => settings[int.Parse(i, CultureInfo.InvariantCulture)]).ToArray();
        string modelName = unet ? "convolutional U-Net (32-64 channels, strided, nearest upsampling, spatial code, skips)" : "dense 784-512-128-512-784 Tanh";
        var grid = new float[settings.Length * 3 * FashionMnist.Side, GridImages * FashionMnist.Side];
        var results = new List<(string Name, double Noisy, double Blur, double Ours, double Seconds)>();
        for (int s = 0; s < settings.Length; s++)
        {
            var (name, corruption) = settings[s];
            var noisy = corruption.Apply(test, seed: 1000 + s, Shape);
            Log($"{name}: training on {train.Rows} images for {epochs} epochs");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var model = context.Transforms.Denoise(new AutoencoderDenoisingEstimator.Options
            {
                ReconstructionColumnName = "Denoised",
                ImageShape = Shape,
                Corruptions = [corruption],
                HiddenLayerSizes = unet ? null : [512],
                LatentSize = unet ? 0 : 128,
                Convolutional = unet ? new ConvolutionalArchitecture { Channels = [32, 64], LatentSize = 0, SkipConnections = true } : null,
                NumberOfEpochs = epochs,
                BatchSize = 128,
                Seed = 1,
            }).Fit(trainView);
            double seconds = watch.Elapsed.TotalSeconds;
            var restored = DataViews.ToMatrix(model.Transform(DataViews.FromMatrix(context, noisy)), "Denoised");
            var blurred = Blur3x3(noisy);
            results.Add((name, Psnr(noisy, test), Psnr(blurred, test), Psnr(restored, test), seconds));
            for (int i = 0; i < GridImages; i++)
            {
                Paste(grid, test, i, 3 * s, i);
                Paste(grid, noisy, i, 3 * s + 1, i);
                Paste(grid, restored, i, 3 * s + 2, i);
            }
        }
        Images.WriteGray(png, grid);

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"Fashion-MNIST: trained on {train.Rows} images, {epochs} epochs, {modelName}, batch 128; tested on {test.Rows} images.");
        Console.WriteLine("PSNR in dB against the clean test images (mean over images, outputs clipped to [0, 1]):");
        Console.WriteLine();
        Console.WriteLine("| Corruption          | Noisy input | 3×3 Gaussian blur | Autoencoder | Gain | Training (s) |");
        Console.WriteLine("|---------------------|-------------|-------------------|-------------|------|--------------|");
        foreach (var r in results)
            Console.WriteLine(string.Create(c, $"| {r.Name,-19} | {r.Noisy,11:F2} | {r.Blur,17:F2} | {r.Ours,11:F2} | {r.Ours - r.Noisy,4:F1} | {r.Seconds,12:F0} |"));
        Console.WriteLine();
        Console.WriteLine($"Image grid (per corruption: clean / corrupted / restored rows): {Path.GetFullPath(png)}");
        Console.WriteLine(string.Create(c, $"mean PSNR gain: {results.Average(r => r.Ours - r.Noisy):F2} dB"));
        return 0;
    }

    /// <summary>Mean over images of 10·log10(1 / MSE), with values clipped to [0, 1] first.</summary>
    private static double Psnr(FeatureMatrix images, FeatureMatrix clean)
    {
        double total = 0;
        for (int r = 0; r < images.Rows; r++)
        {
            var a = images.Row(r);
            var b = clean.Row(r);
            double squared = 0;
            for (int i = 0; i < a.Length; i++)
            {
                double d = Math.Clamp(a[i], 0f, 1f) - b[i];
                squared += d * d;
            }
            total += 10 * Math.Log10(1 / Math.Max(squared / a.Length, 1e-10));
        }
        return total / images.Rows;
    }

    /// <summary>The classic 3×3 Gaussian blur, kernel [1 2 1]ᵀ[1 2 1] / 16, edges replicated.</summary>
    private static FeatureMatrix Blur3x3(FeatureMatrix images)
    {
        int n = FashionMnist.Side;
        var result = new float[images.Values.Length];
        float[] weights = [0.25f, 0.5f, 0.25f];
        for (int r = 0; r < images.Rows; r++)
        {
            var source = images.Row(r);
            var target = result.AsSpan(r * n * n, n * n);
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                {
                    float sum = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            sum += weights[dy + 1] * weights[dx + 1] * source[Math.Clamp(y + dy, 0, n - 1) * n + Math.Clamp(x + dx, 0, n - 1)];
                    target[y * n + x] = sum;
                }
        }
        return new FeatureMatrix(result, images.Rows, images.Columns);
    }

    private static void Paste(float[,] grid, FeatureMatrix images, int image, int gridRow, int gridColumn)
    {
        int n = FashionMnist.Side;
        var pixels = images.Row(image);
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                grid[gridRow * n + y, gridColumn * n + x] = pixels[y * n + x];
    }
}
