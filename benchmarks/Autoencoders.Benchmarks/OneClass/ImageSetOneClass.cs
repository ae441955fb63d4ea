using System.Diagnostics;
using System.Globalization;
using Autoencoders.Benchmarks.Support;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Scores;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Benchmarks.OneClass;

/// <summary>
/// The one-class protocol on an image set other than Fashion-MNIST (<see cref="ImageSet"/>), for each class: the anomaly
/// detector as a new user fits it — <c>new Options { ImageShape = … }</c> and nothing else (a dense network), and with
/// the library's convolutional architecture (<c>Convolutional = new()</c>) — beside raw-pixel k-NN on the same split.
/// Prints the per-class table and returns the means.
/// </summary>
internal static class ImageSetOneClass
{
    public static (string Set, string[] Models, double[] Ours, double NearestNeighbors) Run(ImageSet set, string[] models, ScoreKind scoreKind,
        NeighborScoreOptions neighbors, bool validation, Action<string> log)
    {
        var detectors = new List<(string Name, Func<AutoencoderAnomalyDetectionTrainer.Options> Make)>
        {
            ("Default (dense)", () => new() { ImageShape = set.Shape, Seed = 1, ScoreKind = scoreKind, Neighbors = neighbors with { } }),
        };
        if (models.Contains("conv"))
            detectors.Add(("Convolutional", () => new()
            {
                ImageShape = set.Shape, Convolutional = new ConvolutionalArchitecture(), Seed = 1, ScoreKind = scoreKind, Neighbors = neighbors with { },
            }));
        int classes = set.ClassNames.Count;
        var auc = new double[classes, detectors.Count];
        var seconds = new double[classes, detectors.Count];
        var knn = new double[classes];
        int trainCount = 0, evaluateCount = 0;
        for (int normal = 0; normal < classes; normal++)
        {
            var split = set.Split(normal, validation);
            trainCount = split.Train.Count;
            evaluateCount = split.Evaluate.Count;
            var anomalous = split.Evaluate.Select(e => e.Anomaly).ToArray();
            var context = new MLContext(seed: 1);
            var train = DataViews.FromMatrix(context, FeatureMatrix.FromRows(split.Train));
            var evaluate = DataViews.FromMatrix(context, FeatureMatrix.FromRows(split.Evaluate.Select(e => e.Image).ToList()));
            for (int j = 0; j < detectors.Count; j++)
            {
                var watch = Stopwatch.StartNew();
                var model = context.AnomalyDetection.Trainers.Autoencoder(detectors[j].Make()).Fit(train);
                seconds[normal, j] = watch.Elapsed.TotalSeconds;
                var scores = model.Transform(evaluate).GetColumn<float>("Score").ToArray();
                (model as IDisposable)?.Dispose();
                auc[normal, j] = RankMetrics.Auc(scores, anomalous);
                log(FormattableString.Invariant($"{set.Name} {set.ClassNames[normal]}: {detectors[j].Name} AUC {auc[normal, j]:F4} ({seconds[normal, j]:F1} s, {split.Train.Count} training images)"));
            }
            knn[normal] = RankMetrics.Auc(RawNearestNeighbors.Scores(split.Train, split.Evaluate.Select(e => e.Image).ToList()), anomalous);
            log(FormattableString.Invariant($"{set.Name} {set.ClassNames[normal]}: raw-pixel {RawNearestNeighbors.K}-NN AUC {knn[normal]:F4}"));
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"{set.Describe()}; {(validation ? "VALIDATION protocol (no test image read)" : "test protocol")}: {trainCount} training images, {evaluateCount} scored per class (last class). Score {scoreKind}{(scoreKind == ScoreKind.NearestNeighbors ? $" ({(NeighborArguments.Differences(neighbors, images: true) is { Length: > 0 } d ? d : "the library's settings")})" : "")}; every other setting the library's default."));
        Console.WriteLine(Machine.Describe());
        Console.WriteLine();
        Console.WriteLine("| Class | " + string.Join(" | ", detectors.Select(d => $"{d.Name} AUC")) + $" | raw {RawNearestNeighbors.K}-NN AUC | " + string.Join(" | ", detectors.Select(d => $"{d.Name} fit (s)")) + " |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", 2 * detectors.Count + 1)));
        for (int i = 0; i < classes; i++)
            Console.WriteLine($"| {set.ClassNames[i]} | " + string.Join(" | ", Enumerable.Range(0, detectors.Count).Select(j => auc[i, j].ToString("F4", c)))
                              + " | " + knn[i].ToString("F4", c) + " | " + string.Join(" | ", Enumerable.Range(0, detectors.Count).Select(j => seconds[i, j].ToString("F1", c))) + " |");
        var means = Enumerable.Range(0, detectors.Count).Select(j => Enumerable.Range(0, classes).Average(i => auc[i, j])).ToArray();
        Console.WriteLine("| mean | " + string.Join(" | ", means.Select(m => m.ToString("F4", c))) + " | " + knn.Average().ToString("F4", c)
                          + " | " + string.Join(" | ", Enumerable.Range(0, detectors.Count).Select(j => Enumerable.Range(0, classes).Average(i => seconds[i, j]).ToString("F1", c))) + " |");
        Console.WriteLine();
        return (set.Name, detectors.Select(d => d.Name).ToArray(), means, knn.Average());
    }
}
