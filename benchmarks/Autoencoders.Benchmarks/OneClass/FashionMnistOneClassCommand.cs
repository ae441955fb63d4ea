using System.Diagnostics;
using System.Globalization;
using Autoencoders.Benchmarks.Support;
using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Benchmarks.OneClass;

/// <summary>
/// <c>fmnist-oneclass</c>: the one-class protocol on Fashion-MNIST. For each class, train on that class's 6,000 training
/// images, score all 10,000 test images and report the AUC-ROC with that class as normal: our convolutional
/// autoencoder, our dense autoencoder and ML.NET's RandomizedPca, side by side, with training time per class.
/// Options: <c>--classes 0,3</c> (default all), <c>--epochs N</c> (autoencoder epochs, default 20), <c>--latent N</c>, <c>--channels 32,64</c>,
/// <c>--kernel N</c> (the convolutional model; default the library's <see cref="ConvolutionalArchitecture"/>: code 32, chosen
/// on the validation protocol with the nearest-neighbour Score), <c>--dense-latent N</c> (the dense model's code size
/// and RandomizedPca's rank, default 8), <c>--batch N</c>, <c>--standardization perfeature</c> (both
/// autoencoders; default PerChannel, chosen on the validation protocol with the nearest-neighbour Score),
/// the nearest-neighbour score's settings (<see cref="NeighborArguments"/>: <c>--reference prototypes|rows</c>, <c>--reference-size N</c>,
/// <c>--prototype-members N</c>, <c>--neighbor-smoothing S</c>, <c>--neighbor-shift N</c>, <c>--neighbor-edges on|off</c>,
/// <c>--neighbor-reconstruction W</c>; each defaults to the library's), <c>--score-kind ReconstructionError</c>,
/// <c>--models conv,dense,pca</c>, and <c>--protocol validation</c>, which never reads the test set: it trains on the
/// first 5,000 training images of the class and evaluates on its other training images against as many training
/// images of the other classes (for choosing settings without looking at the test set). Every class is also scored by
/// raw-pixel k-NN (<see cref="RawNearestNeighbors"/>) on the same split. <c>--sets fashion-mnist,digits,textures,fashion-mnist-14</c>
/// (the default) adds image sets of other kinds (<see cref="ImageSet"/>, run by <see cref="ImageSetOneClass"/>: the
/// library's default detector and its convolutional one, with <c>--models</c> naming conv), then a summary of every set
/// against k-NN. Last lines: <c>mean AUC: X</c> (Fashion-MNIST's convolutional model) and <c>worst set vs k-NN: D</c>
/// (the lowest of ours minus k-NN over the sets and our models).
/// </summary>
internal static class FashionMnistOneClassCommand
{
    private sealed class Image
    {
        [VectorType(FashionMnist.Pixels)] public float[] Features { get; set; } = [];
        /// <summary>1: not the normal class (an anomaly); 0: the normal class, as ML.NET's anomaly evaluator expects.</summary>
        public float Label { get; set; }
    }

    private sealed record Detector(string Name, Func<MLContext, IEstimator<ITransformer>> Make);

    public static int Run(Arguments arguments)
    {
        int[] classes = arguments.String("classes", "0,1,2,3,4,5,6,7,8,9").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        if (classes.Any(c => c is < 0 or > 9))
            throw new ArgumentOutOfRangeException("--classes", "Classes are 0 to 9.");
        int epochs = arguments.Int("epochs", 20);
        int batch = arguments.Int("batch", 64);
        var defaults = new ConvolutionalArchitecture();
        int latent = arguments.Int("latent", defaults.LatentSize);
        int denseLatent = arguments.Int("dense-latent", 8);
        int kernel = arguments.Int("kernel", defaults.KernelSize);
        int[] channels = arguments.String("channels", string.Join(",", defaults.Channels)).Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        string[] models = arguments.String("models", "conv,dense,pca").Split(',');
        var standardization = Enum.Parse<Standardization>(arguments.String("standardization", "PerChannel"), ignoreCase: true);
        var neighbors = NeighborArguments.Parse(arguments);
        var scoreKind = Enum.Parse<ScoreKind>(arguments.String("score-kind", AutoencoderDefaults.DetectorScoreKind.ToString()), ignoreCase: true);
        bool validation = arguments.String("protocol", "test") switch
        {
            "test" => false,
            "validation" => true,
            var other => throw new ArgumentOutOfRangeException("--protocol", other, "Expected test or validation."),
        };
        string[] sets = arguments.String("sets", "fashion-mnist,digits,textures,fashion-mnist-14").Split(',');
        var otherSets = sets.Where(set => set != "fashion-mnist").Select(ImageSet.Named).ToList();
        void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
        var c = CultureInfo.InvariantCulture;
        var summary = new List<(string Set, string[] Models, double[] Ours, double NearestNeighbors)>();
        if (!sets.Contains("fashion-mnist"))
            classes = [];

        var (trainImages, trainLabels) = classes.Length > 0 ? FashionMnist.Load(training: true) : (FeatureMatrix.FromRows([new float[1]]), new byte[1]);
        var (testImages, testLabels) = validation || classes.Length == 0 ? (trainImages, trainLabels) : FashionMnist.Load(training: false);
        var architecture = new ConvolutionalArchitecture { Channels = channels, LatentSize = latent, KernelSize = kernel };
        // The settings both autoencoders share (training, standardization, Score); each adds its network.
        AutoencoderAnomalyDetectionTrainer.Options Shared() => new()
        {
            ImageShape = new ImageShape(1, FashionMnist.Side, FashionMnist.Side),
            NumberOfEpochs = epochs, BatchSize = batch, Seed = 1, Standardization = standardization, ScoreKind = scoreKind,
            Neighbors = neighbors with { },
        };
        var detectors = new List<Detector>();
        if (models.Contains("conv"))
            detectors.Add(new("Convolutional AE", c =>
            {
                var options = Shared();
                options.Convolutional = architecture;
                return c.AnomalyDetection.Trainers.Autoencoder(options);
            }));
        if (models.Contains("dense"))
            detectors.Add(new("Dense AE", c =>
            {
                var options = Shared();
                options.HiddenLayerSizes = [256];
                options.LatentSize = denseLatent;
                return c.AnomalyDetection.Trainers.Autoencoder(options);
            }));
        if (models.Contains("pca"))
            detectors.Add(new("RandomizedPca", c => c.AnomalyDetection.Trainers.RandomizedPca("Features", rank: denseLatent, seed: 1)));

        var auc = new double[classes.Length, detectors.Count];
        var seconds = new double[classes.Length, detectors.Count];
        var knn = new double[classes.Length];
        for (int i = 0; i < classes.Length; i++)
        {
            int normal = classes[i];
            var context = new MLContext(seed: 1);
            var (trainRows, testRows) = Split(trainImages, trainLabels, testImages, testLabels, normal, validation);
            var train = context.Data.LoadFromEnumerable(trainRows);
            var test = context.Data.LoadFromEnumerable(testRows);
            for (int j = 0; j < detectors.Count; j++)
            {
                Log(FormattableString.Invariant($"class {normal} ({FashionMnist.ClassNames[normal]}): {detectors[j].Name} on {trainRows.Count} images"));
                var watch = Stopwatch.StartNew();
                var model = detectors[j].Make(context).Fit(train);
                seconds[i, j] = watch.Elapsed.TotalSeconds;
                auc[i, j] = context.AnomalyDetection.Evaluate(model.Transform(test)).AreaUnderRocCurve;
                (model as IDisposable)?.Dispose();
                Log(FormattableString.Invariant($"class {normal}: {detectors[j].Name} AUC {auc[i, j]:F4} ({seconds[i, j]:F0} s)"));
            }
            knn[i] = RankMetrics.Auc(RawNearestNeighbors.Scores(trainRows.Select(r => r.Features).ToList(), testRows.Select(r => r.Features).ToList()),
                testRows.Select(r => r.Label > 0).ToArray());
            Log(FormattableString.Invariant($"class {normal}: raw-pixel {RawNearestNeighbors.K}-NN AUC {knn[i]:F4}"));
        }

        if (classes.Length > 0)
        {
            Console.WriteLine(validation
                ? "Fashion-MNIST one-class, VALIDATION protocol: train on 5,000 training images of the class; evaluate on its other training images vs as many of other classes."
                : $"Fashion-MNIST one-class: train on the class's {trainLabels.Count(l => l == classes[0])} training images, score the {testLabels.Length} test images; AUC-ROC with the class as normal.");
            Console.WriteLine(string.Create(c, $"Convolutional AE: {architecture.Describe(new ImageShape(1, FashionMnist.Side, FashionMnist.Side))}, dense AE: 784-256-{denseLatent}-256-784 Tanh; both standardized {standardization}, {epochs} epochs, batch {batch}, Adam 1e-3, seed 1, score {scoreKind}{(scoreKind == ScoreKind.NearestNeighbors ? $" ({(NeighborArguments.Differences(neighbors, images: true) is { Length: > 0 } d ? d : "the library's settings")})" : "")}. RandomizedPca rank {denseLatent}. k-NN: mean distance to the {RawNearestNeighbors.K} nearest training images, raw pixels."));
            Console.WriteLine(Machine.Describe());
            Console.WriteLine();
            Console.WriteLine("| Class | Name        | " + string.Join(" | ", detectors.Select(d => $"{d.Name} AUC")) + $" | raw {RawNearestNeighbors.K}-NN AUC | " + string.Join(" | ", detectors.Select(d => $"{d.Name} train (s)")) + " |");
            Console.WriteLine("|-------|-------------|" + string.Concat(Enumerable.Repeat("------:|", 2 * detectors.Count + 1)));
            for (int i = 0; i < classes.Length; i++)
                Console.WriteLine(string.Create(c, $"| {classes[i],5} | {FashionMnist.ClassNames[classes[i]],-11} | ") + string.Join(" | ", Enumerable.Range(0, detectors.Count).Select(j => auc[i, j].ToString("F4", c)))
                                  + " | " + knn[i].ToString("F4", c) + " | " + string.Join(" | ", Enumerable.Range(0, detectors.Count).Select(j => seconds[i, j].ToString("F1", c))) + " |");
            var means = Enumerable.Range(0, detectors.Count).Select(j => Enumerable.Range(0, classes.Length).Average(i => auc[i, j])).ToArray();
            Console.WriteLine("| mean  |             | " + string.Join(" | ", means.Select(m => m.ToString("F4", c))) + " | " + knn.Average().ToString("F4", c)
                              + " | " + string.Join(" | ", Enumerable.Range(0, detectors.Count).Select(j => Enumerable.Range(0, classes.Length).Average(i => seconds[i, j]).ToString("F1", c))) + " |");
            Console.WriteLine();
            summary.Add(("fashion-mnist", detectors.Where(d => d.Name != "RandomizedPca").Select(d => d.Name).ToArray(),
                Enumerable.Range(0, detectors.Count).Where(j => detectors[j].Name != "RandomizedPca").Select(j => means[j]).ToArray(), knn.Average()));
        }

        foreach (var set in otherSets)
            summary.Add(ImageSetOneClass.Run(set, models, scoreKind, neighbors, validation, Log));

        if (summary.Count > 0)
        {
            Console.WriteLine($"One-class mean AUC per image set ({(validation ? "validation" : "test")} protocol), ours against raw-pixel {RawNearestNeighbors.K}-NN on the same splits:");
            Console.WriteLine();
            Console.WriteLine("| Set | Ours | Mean AUC | raw-pixel k-NN | ours − k-NN |");
            Console.WriteLine("|---|---|---:|---:|---:|");
            foreach (var (set, names, ours, nearest) in summary)
                for (int j = 0; j < names.Length; j++)
                    Console.WriteLine(string.Create(c, $"| {set} | {names[j]} | {ours[j]:F4} | {nearest:F4} | {ours[j] - nearest:+0.0000;-0.0000} |"));
            Console.WriteLine();
        }
        if (classes.Length > 0 && summary.Count > 0 && summary[0].Set == "fashion-mnist")
            Console.WriteLine(string.Create(c, $"mean AUC: {summary[0].Ours[0]:F4}"));
        if (summary.Count > 0)
            Console.WriteLine(string.Create(c, $"worst set vs k-NN: {summary.Min(s => s.Ours.Min() - s.NearestNeighbors):+0.0000;-0.0000}"));
        return 0;
    }

    private static (List<Image> Train, List<Image> Test) Split(FeatureMatrix trainImages, byte[] trainLabels, FeatureMatrix testImages, byte[] testLabels,
        int normal, bool validation)
    {
        var ofClass = Enumerable.Range(0, trainImages.Rows).Where(r => trainLabels[r] == normal).ToList();
        Image Make(FeatureMatrix images, int row, bool anomaly) => new() { Features = images.Row(row).ToArray(), Label = anomaly ? 1f : 0f };
        if (!validation)
            return (ofClass.Select(r => Make(trainImages, r, false)).ToList(),
                    Enumerable.Range(0, testImages.Rows).Select(r => Make(testImages, r, testLabels[r] != normal)).ToList());
        var held = ofClass.Skip(5000).ToList();
        var others = Enumerable.Range(0, trainImages.Rows).Where(r => trainLabels[r] != normal).OrderBy(r => (r * 2654435761u) % 1000003).Take(held.Count);
        return (ofClass.Take(5000).Select(r => Make(trainImages, r, false)).ToList(),
                held.Select(r => Make(trainImages, r, false)).Concat(others.Select(r => Make(trainImages, r, true))).ToList());
    }
}
