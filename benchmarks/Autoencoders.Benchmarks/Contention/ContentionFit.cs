using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Autoencoders.Benchmarks.Support;
using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using TorchSharp;

namespace Autoencoders.Benchmarks.Contention;

/// <summary>
/// <c>contention-fit</c> (run by <see cref="ContentionCommand"/> in its own process, so that each measurement starts
/// libtorch afresh with its own environment): fits one of the <c>contention</c> models and prints one JSON line with the
/// seconds Fit took, the threads libtorch used and the OpenMP setting. Options: <c>--model small|throughput|conv|table-N</c>
/// (<c>table-N</c>: the small model's detector on 6,435 rows of N features; small is table-36),
/// <c>--threads N</c> (<c>NumberOfThreads</c>; default: the library's choice), <c>--fits N</c> (fits one after the other,
/// a line each, default 1; 0 fits until killed: the second training process beside a measurement).
/// </summary>
internal static class ContentionFit
{
    /// <summary>The models, in table order, with what each is.</summary>
    public static readonly IReadOnlyList<(string Name, string What)> Models =
    [
        ("small", "anomaly detector, defaults, 6,435 × 36 rows (satellite's size)"),
        ("throughput", "throughput's model 784-256-64-256-784, 10,000 rows, 3 epochs, batch 256"),
        ("conv", "image anomaly detector, defaults (convolutional), 1,000 Fashion-MNIST images"),
    ];

    public static int Run(Arguments arguments)
    {
        string model = arguments.String("model", "small");
        int? threads = arguments.String("threads", "") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
        int fits = arguments.Int("fits", 1, minimum: 0);
        Func<Action> prepare = model switch
        {
            "small" => () => Small(36, threads),
            _ when model.StartsWith("table-", StringComparison.Ordinal) && int.TryParse(model["table-".Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int features) && features > 1
                => () => Small(features, threads),
            "throughput" => () => Throughput(threads),
            "conv" => () => Convolutional(threads),
            _ => throw new ArgumentOutOfRangeException("--model", model, "Expected small, throughput, conv or table-N."),
        };
        var fit = prepare();
        for (int done = 0; fits == 0 || done < fits; done++)
        {
            var watch = Stopwatch.StartNew();
            fit();
            double seconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine(JsonSerializer.Serialize(new { model, seconds, threads = torch.get_num_threads(), openmp = OpenMpWaitPolicy.Status }));
            Console.Out.Flush();
        }
        return 0;
    }

    private static Action Small(int features, int? threads)
    {
        var context = new MLContext(seed: 1);
        var data = DataViews.FromMatrix(context, SyntheticRows.Create(6435, features, seed: 11, rank: Math.Max(2, features / 4)));
        return () =>
        {
            (context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { NumberOfThreads = threads, Seed = 0 }).Fit(data) as IDisposable)?.Dispose();
        };
    }

    private const int Features = 784;

    private static Action Throughput(int? threads)
    {
        var raw = SyntheticRows.Create(10_000, Features, seed: 5);
        var rows = Standardizer.Fit(raw).Transform(raw);
        return () =>
        {
            using var trained = new AutoencoderTrainer(new TrainerOptions
            {
                HiddenLayerSizes = [256], LatentSize = 64, Activation = Activation.Tanh, Corruptions = [Corruption.GaussianNoise(0.1)],
                NumberOfEpochs = 3, BatchSize = 256, NumberOfThreads = threads, Seed = 0,
            }).Fit(rows);
        };
    }

    private static Action Convolutional(int? threads)
    {
        var (images, labels) = FashionMnist.Load(training: true);
        var rows = Enumerable.Range(0, images.Rows).Where(r => labels[r] == 0).Take(1000).Select(r => images.Row(r).ToArray()).ToList();
        var context = new MLContext(seed: 1);
        var data = DataViews.FromMatrix(context, FeatureMatrix.FromRows(rows));
        return () =>
        {
            (context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
            {
                ImageShape = new ImageShape(1, FashionMnist.Side, FashionMnist.Side), NumberOfThreads = threads, Seed = 0,
            }).Fit(data) as IDisposable)?.Dispose();
        };
    }
}
