using System.Diagnostics;
using System.Globalization;
using Autoencoders.Benchmarks.Support;
using Autoencoders.Examples;
using Autoencoders.ML;
using Autoencoders.ML.Features;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Benchmarks.Features;

/// <summary>
/// <c>features</c>: Fashion-MNIST test accuracy of the same ML.NET classifiers (SdcaMaximumEntropy, LightGbm) on raw pixels,
/// on ML.NET's PCA projection (k = 32, 64) and on our latent features (k = 32, 64: dense denoising, stacked denoising,
/// variational, convolutional denoising), all in one run, with the feature-extraction (fit + transform) time. Options:
/// <c>--train-rows N</c> (default 60000), <c>--test-rows N</c> (default 10000), <c>--epochs N</c> (autoencoder epochs,
/// default 10), <c>--only conv,pca</c> (raw pixels plus the rows whose names contain one of these).
/// </summary>
internal static class FeaturesCommand
{
    private sealed class Image
    {
        [VectorType(FashionMnist.Pixels)] public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    private sealed record Extractor(string Name, int Dimensions, Func<MLContext, IEstimator<ITransformer>>? Make);

    public static int Run(Arguments arguments)
    {
        int trainRows = arguments.Int("train-rows", 60_000);
        int testRows = arguments.Int("test-rows", 10_000);
        int epochs = arguments.Int("epochs", 10);
        void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

        var context = new MLContext(seed: 1);
        var train = Load(context, FashionMnist.Load(training: true, trainRows));
        var test = Load(context, FashionMnist.Load(training: false, testRows));

        AutoencoderFeaturizerEstimator.Options Dense(int k) => new()
        {
            LatentColumnName = "Code", HiddenLayerSizes = [256], LatentSize = k, NumberOfEpochs = epochs, BatchSize = 128, Seed = 1,
            Corruptions = [Corruption.Masking(0.25)],
        };
        AutoencoderFeaturizerEstimator.Options Convolutional(int k) => new()
        {
            LatentColumnName = "Code", NumberOfEpochs = epochs, BatchSize = 128, Seed = 1, Corruptions = [Corruption.Masking(0.25)],
            Convolutional = new ConvolutionalArchitecture { Channels = [32, 64], LatentSize = k },
            ImageShape = new ImageShape(1, FashionMnist.Side, FashionMnist.Side),
        };
        Extractor[] extractors =
        [
            new("Raw pixels", FashionMnist.Pixels, null),
            new("ML.NET PCA k=32", 32, c => c.Transforms.ProjectToPrincipalComponents("Code", "Features", rank: 32, seed: 1)),
            new("ML.NET PCA k=64", 64, c => c.Transforms.ProjectToPrincipalComponents("Code", "Features", rank: 64, seed: 1)),
            new("Denoising AE k=32", 32, c => c.Transforms.ExtractLatentFeatures(Dense(32))),
            new("Denoising AE k=64", 64, c => c.Transforms.ExtractLatentFeatures(Dense(64))),
            new("Stacked denoising AE k=64", 64, c =>
            {
                var options = Dense(64);
                options.PretrainingEpochs = Math.Max(1, epochs / 2);
                return c.Transforms.ExtractLatentFeatures(options);
            }),
            new("Variational AE k=32", 32, c =>
            {
                var options = Dense(32);
                options.Variational = true;
                options.Corruptions = [];
                return c.Transforms.ExtractLatentFeatures(options);
            }),
            new("Variational AE k=64", 64, c =>
            {
                var options = Dense(64);
                options.Variational = true;
                options.Corruptions = [];
                return c.Transforms.ExtractLatentFeatures(options);
            }),
            new("Convolutional DAE k=32", 32, c => c.Transforms.ExtractLatentFeatures(Convolutional(32))),
            new("Convolutional DAE k=64", 64, c => c.Transforms.ExtractLatentFeatures(Convolutional(64))),
        ];
        if (arguments.String("only", "") is { Length: > 0 } only)
            extractors = extractors.Where(e => e.Make is null || only.Split(',').Any(o => e.Name.Contains(o, StringComparison.OrdinalIgnoreCase))).ToArray();

        var rows = new List<(string Name, int Dimensions, double Seconds, double Sdca, double LightGbm)>();
        foreach (var extractor in extractors)
        {
            Log($"{extractor.Name}: extracting features");
            var watch = Stopwatch.StartNew();
            IDataView trainFeatures, testFeatures;
            string column = "Features";
            if (extractor.Make is null)
            {
                trainFeatures = train;
                testFeatures = test;
            }
            else
            {
                var featurizer = extractor.Make(context).Fit(train);
                // Materialize once so that both classifiers read the same features and the time counts extraction only.
                trainFeatures = context.Data.Cache(featurizer.Transform(train));
                testFeatures = context.Data.Cache(featurizer.Transform(test));
                _ = trainFeatures.GetColumn<uint>("Label").Count();
                _ = testFeatures.GetColumn<uint>("Label").Count();
                column = "Code";
            }
            double seconds = extractor.Make is null ? 0 : watch.Elapsed.TotalSeconds;
            Log($"{extractor.Name}: SdcaMaximumEntropy and LightGbm on {extractor.Dimensions} features");
            double sdca = Accuracy(context, context.MulticlassClassification.Trainers.SdcaMaximumEntropy("Key", column), trainFeatures, testFeatures);
            double lightGbm = Accuracy(context, context.MulticlassClassification.Trainers.LightGbm("Key", column), trainFeatures, testFeatures);
            rows.Add((extractor.Name, extractor.Dimensions, seconds, sdca, lightGbm));
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"Fashion-MNIST: {trainRows} training and {testRows} test images; dense autoencoders 784-256-k Tanh, convolutional 32-64 channels (strided, k3) → k; {epochs} epochs, batch 128 (denoising: masking 25%).");
        Console.WriteLine("Test accuracy (micro) of the same ML.NET classifier on each feature set; extraction = fit + transform of train and test.");
        Console.WriteLine();
        Console.WriteLine("| Features                  | Dim | Extraction (s) | SdcaMaximumEntropy | LightGbm |");
        Console.WriteLine("|---------------------------|----:|---------------:|-------------------:|---------:|");
        foreach (var r in rows)
            Console.WriteLine(string.Create(c, $"| {r.Name,-25} | {r.Dimensions,3} | {r.Seconds,14:F1} | {r.Sdca,18:F4} | {r.LightGbm,8:F4} |"));
        Console.WriteLine();
        double bestLatent = rows.Where(r => r.Name.Contains("AE")).Select(r => r.Sdca).DefaultIfEmpty(double.NaN).Max();
        double raw = rows.Single(r => r.Name == "Raw pixels").Sdca;
        double pca = rows.Where(r => r.Name.Contains("PCA")).Select(r => r.Sdca).DefaultIfEmpty(double.NaN).Max();
        Console.WriteLine(string.Create(c, $"best latent accuracy: {bestLatent:F4} (raw pixels: {raw:F4}, PCA: {pca:F4})"));
        return 0;
    }

    private static IDataView Load(MLContext context, (FeatureMatrix Images, byte[] Labels) data) =>
        context.Data.LoadFromEnumerable(Enumerable.Range(0, data.Images.Rows)
            .Select(i => new Image { Features = data.Images.Row(i).ToArray(), Label = data.Labels[i] }).ToList());

    private static double Accuracy(MLContext context, IEstimator<ITransformer> trainer, IDataView train, IDataView test)
    {
        var pipeline = context.Transforms.Conversion.MapValueToKey("Key", "Label").Append(trainer);
        var model = pipeline.Fit(train);
        return context.MulticlassClassification.Evaluate(model.Transform(test), "Key").MicroAccuracy;
    }
}
