using System.Diagnostics;
using System.Globalization;
using Autoencoders.Benchmarks.Support;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.ML.Denoising;
using Autoencoders.ML.Features;
using Autoencoders.Training.Models;
using Microsoft.ML;

namespace Autoencoders.Benchmarks.Soak;

/// <summary>
/// <c>soak</c>: fits and scores every kind of stage — the dense detector (default Score), a convolutional detector on
/// images, a variational one, a denoiser and a featurizer — round after round for a bounded time, each round saved and
/// reloaded with both loaders, while a thread forces a full garbage collection every millisecond (run it with
/// <c>DOTNET_GCgen0size</c> small too). A TorchSharp or ONNX Runtime handle freed by the collector while native code
/// still reads it crashes the process (TorchSharp's implicit Scalars did, in leaky_relu and add_Tensor); this reports how
/// many fits and scorings ran and ends with <c>soak: N rounds, F fits, S scorings, 0 failures</c>. Options:
/// <c>--seconds N</c> (default 60), <c>--rows N</c> (training rows per fit, default 200).
/// </summary>
internal static class SoakCommand
{
    public static int Run(Arguments arguments)
    {
        int seconds = arguments.Int("seconds", 60);
        int rows = arguments.Int("rows", 200);
        var deadline = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        long collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
                Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "soak collector" };
        collector.Start();

        var image = new ImageShape(1, 8, 8);
        var context = new MLContext(seed: 1);
        var tabular = DataViews.FromMatrix(context, SyntheticRows.Create(rows, 12, seed: 1, rank: 4));
        var tabularTest = DataViews.FromMatrix(context, SyntheticRows.Create(64, 12, seed: 2, rank: 4));
        var images = DataViews.FromMatrix(context, SyntheticRows.Create(rows, image.Size, seed: 3, rank: 6));
        var imagesTest = DataViews.FromMatrix(context, SyntheticRows.Create(64, image.Size, seed: 4, rank: 6));
        var stages = new (string Name, Func<int, IEstimator<ITransformer>> Make, IDataView Train, IDataView Test, string Column)[]
        {
            ("dense detector", seed => context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { Seed = seed, NumberOfEpochs = 2 }), tabular, tabularTest, "Score"),
            ("convolutional detector", seed => context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
                { Seed = seed, NumberOfEpochs = 1, ImageShape = image, Convolutional = new ConvolutionalArchitecture { Channels = [16], LatentSize = 4 } }), images, imagesTest, "Score"),
            ("variational detector", seed => context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { Seed = seed, NumberOfEpochs = 2, Variational = true }), tabular, tabularTest, "Score"),
            ("denoiser", seed => context.Transforms.Denoise(new AutoencoderDenoisingEstimator.Options
                { FeatureColumnName = "Features", ReconstructionColumnName = "Denoised", Seed = seed, NumberOfEpochs = 2 }), tabular, tabularTest, "Denoised"),
            ("featurizer", seed => context.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options
                { FeatureColumnName = "Features", LatentColumnName = "Code", Seed = seed, NumberOfEpochs = 2, LatentSize = 3 }), tabular, tabularTest, "Code"),
        };
        int rounds = 0, fits = 0, scorings = 0;
        string folder = Directory.CreateTempSubdirectory("autoencoders-soak").FullName;
        try
        {
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                foreach (var (name, make, train, test, column) in stages)
                {
                    var model = make(rounds).Fit(train);
                    fits++;
                    Score(model.Transform(test), column);
                    string path = Path.Combine(folder, "model.zip");
                    context.Model.Save(model, train.Schema, path);
                    Score(LoadWithMLNet(path).Transform(test), column);
                    Score(new MLContext().Model.LoadWithAutoencoders(path, out _).Transform(test), column);
                    scorings += 3;
                    (model as IDisposable)?.Dispose();
                }
                rounds++;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{deadline.Elapsed.TotalSeconds:F0} s] round {rounds}: {fits} fits, {scorings} scorings, {Interlocked.Read(ref collections)} forced collections"));
            }
        }
        finally
        {
            stop.Cancel();
            Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak: {rounds} rounds, {fits} fits, {scorings} scorings, 0 failures ({Interlocked.Read(ref collections)} forced collections in {deadline.Elapsed.TotalSeconds:F0} s)"));
        return 0;
    }

    /// <summary>
    /// ML.NET's own <c>Model.Load</c>, tried again when ONNX Runtime misreads ML.NET's temporary model file as an ORT-format
    /// model (its random name ends in <c>.ort</c> about once in 32,768 loads, dotnet/machinelearning#7339; this command
    /// loads about a thousand times a run). <c>LoadWithAutoencoders</c> does the same inside.
    /// </summary>
    private static ITransformer LoadWithMLNet(string path)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return new MLContext().Model.Load(path, out _);
            }
            catch (Exception e) when (attempt < 3 && Autoencoders.ML.Scoring.SavedModelLoader.IsOrtFormatMisreading(e))
            {
            }
        }
    }

    /// <summary>Reads every value of <paramref name="column"/> (a score or a vector) through a cursor.</summary>
    private static void Score(IDataView scored, string column)
    {
        var col = scored.Schema[column];
        using var cursor = scored.GetRowCursor([col]);
        if (col.Type is Microsoft.ML.Data.VectorDataViewType)
        {
            var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(col);
            Microsoft.ML.Data.VBuffer<float> value = default;
            while (cursor.MoveNext())
                getter(ref value);
        }
        else
        {
            var getter = cursor.GetGetter<float>(col);
            float value = 0;
            while (cursor.MoveNext())
                getter(ref value);
        }
    }
}
