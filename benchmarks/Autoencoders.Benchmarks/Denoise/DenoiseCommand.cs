using System.Diagnostics;
using System.Globalization;
using Autoencoders.Benchmarks.Support;
using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.Denoising;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Benchmarks.Denoise;

/// <summary>
/// <c>denoise</c>: every restoration task on Fashion-MNIST's test images — Gaussian noise σ 0.1/0.3/0.5, masking 50%,
/// salt-and-pepper 10% (pixels set to 0 or 1), a 10×10 block, super-resolution ×2 — with the PSNR of the corrupted input,
/// a 3×3 Gaussian blur, a 3×3 median filter, bilinear upsampling (super-resolution) and our denoiser trained through
/// <c>mlContext.Transforms.Denoise</c> with only the image shape, the corruption and the run's size set; plus Noise2Noise
/// at σ 0.3: the same denoiser trained on pairs of independently noisy images, no clean target (targets with zero-mean,
/// unclipped noise; one pair per image and epoch of the clean-target run). Each row states its training time. Options:
/// <c>--train-rows N</c> (default 10000), <c>--epochs N|auto</c> (default 7; auto: the stage's automatic count),
/// <c>--test-rows N</c> (default 10000), <c>--model default|dense|unet</c> (default: Denoise's own choice for images;
/// dense: 784-512-128-512-784 Tanh; unet: the 0.2.0 default, a residual 32-64 U-Net without a full-resolution block),
/// <c>--corruptions 0,2</c> (indices into the table; 8 adds Noise2Noise with both copies clipped to [0, 1]), <c>--png PATH</c>,
/// <c>--channels 32,64</c> (the default model with other channels), and <c>--protocol validation</c>, which never reads
/// the test set: it trains on the first training images and evaluates on training images 50,000 and up.
/// </summary>
internal static class DenoiseCommand
{
    private static readonly ImageShape Shape = new(1, FashionMnist.Side, FashionMnist.Side);
    private const int GridImages = 8;
    private const int Side = FashionMnist.Side;

    /// <summary>
    /// Epochs per denoiser: 7 on 10,000 images (70,000 images seen, under the stage's automatic 100,000) keeps the whole
    /// run within 20 minutes on 2 cores (8 took 20 min 16 s: each Fit also scores its training rows through ONNX Runtime
    /// for the graph's threshold, 80,000 rows for Noise2Noise).
    /// </summary>
    private const int DefaultEpochs = 7;

    /// <param name="Noise2NoiseTargets">For Noise2Noise: the corruption of the target copies (the input copies get <paramref name="Corruption"/>).</param>
    private sealed record Task(string Name, Corruption Corruption, bool SuperResolution = false, Corruption? Noise2NoiseTargets = null)
    {
        public bool Noise2Noise => Noise2NoiseTargets is not null;
    }

    private sealed class Pair
    {
        public float[] Features { get; set; } = [];
        public float[] Target { get; set; } = [];
    }

    public static int Run(Arguments arguments)
    {
        int trainRows = arguments.Int("train-rows", 10_000);
        int testRows = arguments.Int("test-rows", 10_000);
        int? epochs = arguments.String("epochs", DefaultEpochs.ToString(CultureInfo.InvariantCulture)) is { Length: > 0 } e and not "auto"
            ? int.Parse(e, CultureInfo.InvariantCulture) : null;
        string png = arguments.String("png", "denoise-grid.png");
        string model = arguments.String("model", "default");
        if (model is not ("default" or "dense" or "unet"))
            throw new ArgumentOutOfRangeException("--model", model, "Expected default, dense or unet.");
        void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

        bool validation = arguments.String("protocol", "test") switch
        {
            "test" => false,
            "validation" => true,
            var other => throw new ArgumentOutOfRangeException("--protocol", other, "Expected test or validation."),
        };
        int[]? channels = arguments.String("channels", "") is { Length: > 0 } list
            ? list.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() : null;
        if (channels is not null && model != "default")
            throw new ArgumentException("--channels changes the default model's channels; it cannot be combined with --model " + model + ".", "--channels");

        FeatureMatrix train, test;
        if (validation)
        {
            // Never the test set: train on the first training images, evaluate on the last ones (from image 50,000 on).
            if (trainRows > ValidationStart || testRows > TrainingImages - ValidationStart)
                throw new ArgumentOutOfRangeException("--train-rows", $"The validation protocol trains on at most {ValidationStart} images and evaluates on at most {TrainingImages - ValidationStart}.");
            var (all, _) = FashionMnist.Load(training: true);
            train = Slice(all, 0, trainRows);
            test = Slice(all, ValidationStart, testRows);
        }
        else
        {
            (train, _) = FashionMnist.Load(training: true, trainRows);
            (test, _) = FashionMnist.Load(training: false, testRows);
        }
        var context = new MLContext(seed: 1);
        var trainView = DataViews.FromMatrix(context, train);

        Task[] tasks =
        [
            new("Gaussian σ=0.1", Corruption.GaussianNoise(0.1, 0, 1)),
            new("Gaussian σ=0.3", Corruption.GaussianNoise(0.3, 0, 1)),
            new("Gaussian σ=0.5", Corruption.GaussianNoise(0.5, 0, 1)),
            new("Masking 50%", Corruption.Masking(0.5)),
            new("Salt-and-pepper 10% (0/1)", Corruption.SaltAndPepper(0.1, 0, 1)),
            new("Block 10×10", Corruption.BlockMasking(1, 10)),
            new("Super-resolution ×2", Corruption.Downsample(2), SuperResolution: true),
            // Noise2Noise needs target noise of mean zero: unclipped targets (raw measurements); the inputs are clipped like the test images.
            new("Noise2Noise, σ=0.3", Corruption.GaussianNoise(0.3, 0, 1), Noise2NoiseTargets: Corruption.GaussianNoise(0.3)),
            // Both copies clipped to [0, 1], as 8-bit images would be: the targets' noise no longer has mean zero (opt-in: --corruptions 8).
            new("Noise2Noise, σ=0.3, clipped", Corruption.GaussianNoise(0.3, 0, 1), Noise2NoiseTargets: Corruption.GaussianNoise(0.3, 0, 1)),
        ];
        if (arguments.String("corruptions", "") is { Length: > 0 } chosen)
            tasks = chosen.Split(',').Select(i => tasks[int.Parse(i, CultureInfo.InvariantCulture)]).ToArray();
        else
            tasks = tasks[..^1];

        var rows = new List<Images.GridRow>();
        var results = new List<(string Name, double Noisy, double Blur, double Median, double? Bilinear, double Ours, double Seconds, string Architecture)>();
        for (int t = 0; t < tasks.Length; t++)
        {
            var task = tasks[t];
            var noisy = task.Corruption.Apply(test, seed: 1000 + t, Shape);
            var options = Options(model, epochs, task, channels);
            IDataView training = trainView;
            if (task.Noise2Noise)
            {
                // Independent noisy pairs of each training image, one copy the input, the other the target; no clean image is
                // used. As many pairs per image as the clean-target denoiser sees noise draws (one per epoch), in one epoch.
                int copies = epochs ?? 1;
                var first = Repeat(train, copies, c => task.Corruption.Apply(train, seed: 2000 + c, Shape));
                var second = Repeat(train, copies, c => task.Noise2NoiseTargets!.Apply(train, seed: 3000 + c, Shape));
                options.NumberOfEpochs = epochs is null ? 0 : 1;
                training = Pairs(context, first, second);
                options.TargetColumnName = "Target";
                options.Corruptions = [];
            }
            Log(task.Noise2Noise ? $"{task.Name}: training on {training.GetRowCount()} noisy pairs" : $"{task.Name}: training on {train.Rows} images");
            var clock = Stopwatch.StartNew();
            using var denoiser = context.Transforms.Denoise(options).Fit(training);
            double seconds = clock.Elapsed.TotalSeconds;
            var restored = DataViews.ToMatrix(denoiser.Transform(DataViews.FromMatrix(context, noisy)), "Denoised");
            double ours = Images.Psnr(restored, test);
            results.Add((task.Name, Images.Psnr(noisy, test), Images.Psnr(Blur3x3(noisy), test), Images.Psnr(Median3x3(noisy), test),
                task.SuperResolution ? Images.Psnr(Bilinear(noisy, 2), test) : null, ours, seconds, denoiser.Training!.Architecture));
            var c = CultureInfo.InvariantCulture;
            rows.Add(new($"{task.Name}: clean", Enumerable.Range(0, GridImages).Select(i => test.Row(i).ToArray()).ToList()));
            rows.Add(new(string.Create(c, $"corrupted ({results[^1].Noisy:F1} dB)"), Enumerable.Range(0, GridImages).Select(i => noisy.Row(i).ToArray()).ToList()));
            rows.Add(new(string.Create(c, $"restored ({ours:F1} dB)"), Enumerable.Range(0, GridImages).Select(i => restored.Row(i).ToArray()).ToList()));
            Log(string.Create(c, $"{task.Name}: noisy {results[^1].Noisy:F2} dB, ours {ours:F2} dB, {seconds:F0} s"));
        }
        Images.WriteGrid(png, rows, Side, Side, scale: 2, title: "Fashion-MNIST test images: clean, corrupted, restored by Denoise (PSNR of the whole test set)");

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(Machine.Describe());
        Console.WriteLine($"Fashion-MNIST{(validation ? " (validation protocol: evaluated on training images 50,000 and up, never the test set)" : "")}: each denoiser trained on {train.Rows} training images ({(epochs is int n ? $"{n} epochs; Noise2Noise: {n} noisy pairs per image, 1 epoch" : "the stage's automatic epochs")}), " +
                          $"tested on {test.Rows} test images corrupted with another seed; model: {results.FirstOrDefault().Architecture}.");
        Console.WriteLine("PSNR in dB against the clean test images (mean over images, outputs clipped to [0, 1]):");
        Console.WriteLine();
        Console.WriteLine("| Task                       | Noisy input | 3×3 blur | 3×3 median | Bilinear ×2 | Autoencoder | Gain | Training (s) |");
        Console.WriteLine("|----------------------------|-------------|----------|------------|-------------|-------------|------|--------------|");
        foreach (var r in results)
            Console.WriteLine(string.Create(inv, $"| {r.Name,-26} | {r.Noisy,11:F2} | {r.Blur,8:F2} | {r.Median,10:F2} | {(r.Bilinear is double b ? b.ToString("F2", inv) : "–"),11} | {r.Ours,11:F2} | {r.Ours - r.Noisy,4:F1} | {r.Seconds,12:F0} |"));
        Console.WriteLine();
        Console.WriteLine($"Image grid (per task: clean / corrupted / restored): {Path.GetFullPath(png)}");
        var gains = results.Where(r => !r.Name.StartsWith("Noise2Noise", StringComparison.Ordinal)).Select(r => r.Ours - r.Noisy).ToList();
        double? noise2Noise = results.FirstOrDefault(r => r.Name == "Noise2Noise, σ=0.3") is { Name: not null } pair
            && results.FirstOrDefault(r => r.Name == "Gaussian σ=0.3") is { Name: not null } clean ? pair.Ours - clean.Ours : null;
        Console.WriteLine(string.Create(inv, $"mean PSNR gain: {gains.Average():F2} dB; worst gain: {gains.Min():F2} dB; Noise2Noise vs clean targets: {(noise2Noise is double z ? z.ToString("F2", inv) : "n/a")} dB"));
        return 0;
    }

    /// <summary>Where the validation protocol's evaluation images start among the 60,000 training images.</summary>
    private const int ValidationStart = 50_000;

    /// <summary>Fashion-MNIST's training images.</summary>
    private const int TrainingImages = 60_000;

    private static FeatureMatrix Slice(FeatureMatrix data, int first, int rows) =>
        new(data.Values.AsSpan(first * data.Columns, rows * data.Columns).ToArray(), rows, data.Columns);

    private static AutoencoderDenoisingEstimator.Options Options(string model, int? epochs, Task task, int[]? channels)
    {
        var options = new AutoencoderDenoisingEstimator.Options
        {
            ReconstructionColumnName = "Denoised",
            ImageShape = Shape,
            Corruptions = [task.Corruption],
            Seed = 1,
        };
        if (epochs is int n)
            options.NumberOfEpochs = n;
        if (model == "dense")
        {
            options.HiddenLayerSizes = [512];
            options.LatentSize = 128;
            options.BatchSize = 128;
        }
        else if (channels is not null)
        {
            var architecture = AutoencoderDefaults.ImageDenoiser();
            architecture.Channels = channels;
            options.Convolutional = architecture;
            options.Residual = true;
        }
        else if (model == "unet")
        {
            options.Convolutional = new ConvolutionalArchitecture { Channels = [32, 64], LatentSize = 0, SkipConnections = true };
            options.Residual = true;
        }
        return options;
    }

    /// <summary><paramref name="copies"/> matrices like <paramref name="data"/>, made by <paramref name="copy"/>, one after another.</summary>
    private static FeatureMatrix Repeat(FeatureMatrix data, int copies, Func<int, FeatureMatrix> copy)
    {
        var values = new float[(long)copies * data.Values.Length];
        for (int c = 0; c < copies; c++)
            copy(c).Values.CopyTo(values, (long)c * data.Values.Length);
        return new FeatureMatrix(values, copies * data.Rows, data.Columns);
    }

    private static IDataView Pairs(MLContext context, FeatureMatrix inputs, FeatureMatrix targets)
    {
        var rows = Enumerable.Range(0, inputs.Rows).Select(r => new Pair { Features = inputs.Row(r).ToArray(), Target = targets.Row(r).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(Pair));
        schema[nameof(Pair.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputs.Columns);
        schema[nameof(Pair.Target)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputs.Columns);
        return context.Data.LoadFromEnumerable(rows, schema);
    }


    /// <summary>Each output pixel from its 3×3 neighbourhood (edges replicated).</summary>
    private static FeatureMatrix Filter3x3(FeatureMatrix images, Func<float[], float> combine)
    {
        var result = new float[images.Values.Length];
        var window = new float[9];
        for (int r = 0; r < images.Rows; r++)
        {
            var source = images.Row(r);
            var target = result.AsSpan(r * Side * Side, Side * Side);
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                {
                    int k = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            window[k++] = source[Math.Clamp(y + dy, 0, Side - 1) * Side + Math.Clamp(x + dx, 0, Side - 1)];
                    target[y * Side + x] = combine(window);
                }
        }
        return new FeatureMatrix(result, images.Rows, images.Columns);
    }

    /// <summary>The classic 3×3 Gaussian blur, kernel [1 2 1]ᵀ[1 2 1] / 16.</summary>
    private static FeatureMatrix Blur3x3(FeatureMatrix images)
    {
        float[] weights = [1, 2, 1, 2, 4, 2, 1, 2, 1];
        return Filter3x3(images, w => w.Zip(weights).Sum(p => p.First * p.Second) / 16);
    }

    /// <summary>The 3×3 median filter, the classic remedy for impulse (salt-and-pepper) noise.</summary>
    private static FeatureMatrix Median3x3(FeatureMatrix images) => Filter3x3(images, w =>
    {
        var sorted = (float[])w.Clone();
        Array.Sort(sorted);
        return sorted[4];
    });

    /// <summary>
    /// Bilinear upsampling of the <paramref name="factor"/>× average-pooled image that the Downsample corruption repeats
    /// over each block (half-pixel centres, clamped at the border), the usual non-learned super-resolution.
    /// </summary>
    private static FeatureMatrix Bilinear(FeatureMatrix blocky, int factor)
    {
        int small = Side / factor;
        var result = new float[blocky.Values.Length];
        for (int r = 0; r < blocky.Rows; r++)
        {
            int offset = r * Side * Side;
            float Low(int y, int x) => blocky.Values[offset + Math.Clamp(y, 0, small - 1) * factor * Side + Math.Clamp(x, 0, small - 1) * factor];
            var target = result.AsSpan(r * Side * Side, Side * Side);
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                {
                    double sy = (y + 0.5) / factor - 0.5, sx = (x + 0.5) / factor - 0.5;
                    int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
                    double fy = sy - y0, fx = sx - x0;
                    target[y * Side + x] = (float)((1 - fy) * ((1 - fx) * Low(y0, x0) + fx * Low(y0, x0 + 1)) + fy * ((1 - fx) * Low(y0 + 1, x0) + fx * Low(y0 + 1, x0 + 1)));
                }
        }
        return new FeatureMatrix(result, blocky.Rows, blocky.Columns);
    }
}
