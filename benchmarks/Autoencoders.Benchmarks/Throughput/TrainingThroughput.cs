using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Autoencoders.Benchmarks.Support;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Microsoft.ML;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;
using TorchSharp;

namespace Autoencoders.Benchmarks.Throughput;

/// <summary>
/// Training samples per second of the same dense autoencoder (<see cref="Network"/>: by default throughput's denoiser
/// 784→256→64→256→784, Tanh, Gaussian input noise σ = 0.1 on the standardized rows, MSE against the clean rows, Adam,
/// batch 256; <see cref="Small"/> is the default network for a 20-feature table) in Autoencoders.Training and in PyTorch
/// (Debian's python3-torch), on the same standardized rows and thread count. The first epoch of each is a warm-up; the
/// others are timed. Ours first runs once untimed: the first training in a .NET process also pays for compiling the
/// managed code (reported as <see cref="Result.FirstRun"/>). This machine's speed drifts by ±30% within a minute, so the
/// two are then run alternately <c>rounds</c> times and each is summarized by its median round.
/// </summary>
internal sealed class TrainingThroughput(TrainingThroughput.Network network, int rows, int epochs, int? threads, int rounds, bool streamed = true)
{
    /// <summary>A dense autoencoder's shape and training settings: features → hidden → latent → hidden → features, Tanh.</summary>
    public sealed record Network(int Features, int Hidden, int Latent, int BatchSize, double NoiseSigma)
    {
        public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Features}-{Hidden}-{Latent}-{Hidden}-{Features} Tanh, batch {BatchSize}{(NoiseSigma > 0 ? $", Gaussian noise σ={NoiseSigma}" : "")}");
    }

    /// <summary>Throughput's model: a denoiser of 784-pixel rows.</summary>
    public static readonly Network Large = new(ScoringThroughput.Features, 256, 64, 256, 0.1);

    /// <summary>The library's default network for a 20-feature table (hidden 2 × 20, latent 20 / 4, batch 32, no corruption).</summary>
    public static readonly Network Small = new(20, 40, 5, 32, 0);

    /// <summary>Rows kept in the shuffle buffer when training streams from an IDataView.</summary>
    public const int ShuffleBufferRows = 8192;

    public sealed record Result(int Threads, double Ours, double FirstRun, double? Streamed, double? PyTorch, string PyTorchNote, double PeakWorkingSetMiB, double WorkingSetGrowthMiB);

    public Result Run(Action<string> log)
    {
        var data = SyntheticRows.Create(rows, network.Features, seed: 5, rank: Math.Min(16, network.Features / 2));
        var standardized = Standardizer.Fit(data).Transform(data);
        var ours = new List<double>();
        var pytorch = new List<double>();
        string note = "";
        double growth = 0;
        log($"{network.Describe()}: first training in this process, untimed ({rows} rows, {epochs} epochs, {threads?.ToString() ?? "default"} threads)");
        double firstRun = Ours(standardized).Rate;
        log($"first training: TorchSharp {firstRun:F0} rows/s");
        for (int round = 1; round <= rounds; round++)
        {
            log($"round {round}/{rounds}: training in TorchSharp ({rows} rows, {epochs} epochs)");
            (double rate, growth) = Ours(standardized);
            ours.Add(rate);
            log($"round {round}/{rounds}: TorchSharp {rate:F0} rows/s");
            log($"round {round}/{rounds}: training in PyTorch (benchmarks/pytorch/train_reference.py)");
            (double? reference, note) = RunPyTorch(standardized, torch.get_num_threads()); // the threads ours used
            if (reference is double r)
            {
                pytorch.Add(r);
                log($"round {round}/{rounds}: PyTorch {r:F0} rows/s");
            }
        }
        double peak = Measure.PeakWorkingSetMiB();

        double? streamedRate = null;
        if (streamed)
        {
            log($"training through ML.NET, streamed from the IDataView (shuffle buffer {ShuffleBufferRows} rows)");
            streamedRate = Streamed(standardized);
        }
        return new Result(torch.get_num_threads(), Measure.Percentile(ours, 0.5), firstRun, streamedRate, pytorch.Count > 0 ? Measure.Percentile(pytorch, 0.5) : null, note, peak, growth);
    }

    /// <summary>Samples per second over the timed epochs, and the working-set change from the first to the last epoch.</summary>
    private (double Rate, double GrowthMiB) Ours(FeatureMatrix standardized)
    {
        var epochEnds = new List<double>();
        var workingSets = new List<double>();
        var watch = Stopwatch.StartNew();
        var options = new TrainerOptions
        {
            HiddenLayerSizes = [network.Hidden], LatentSize = network.Latent, Activation = Activation.Tanh,
            Corruptions = network.NoiseSigma > 0 ? [Corruption.GaussianNoise(network.NoiseSigma)] : [],
            NumberOfEpochs = epochs,
            BatchSize = network.BatchSize,
            NumberOfThreads = threads,
            Seed = 0,
            Progress = _ =>
            {
                epochEnds.Add(watch.Elapsed.TotalSeconds);
                workingSets.Add(Environment.WorkingSet / 1048576.0); // no forced collection inside the timed epochs
            },
        };
        using (new AutoencoderTrainer(options).Fit(standardized))
        {
        }
        return ((epochs - 1) * (double)rows / (epochEnds[^1] - epochEnds[0]), workingSets[^1] - workingSets[0]);
    }

    /// <summary>The same training through the ML.NET estimator, rows streamed from an IDataView cursor every epoch.</summary>
    private double Streamed(FeatureMatrix standardized)
    {
        var context = new MLContext(seed: 1);
        var view = DataViews.FromMatrix(context, standardized);
        var epochEnds = new List<double>();
        var watch = Stopwatch.StartNew();
        using var model = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
        {
            HiddenLayerSizes = [network.Hidden],
            LatentSize = network.Latent,
            Activation = Activation.Tanh,
            Corruptions = network.NoiseSigma > 0 ? [Corruption.GaussianNoise(network.NoiseSigma)] : [],
            NumberOfEpochs = epochs,
            BatchSize = network.BatchSize,
            NumberOfThreads = threads,
            ShuffleBufferRows = ShuffleBufferRows,
            Seed = 0,
            // The library's training loop alone, as in the rounds: every row trained on, no stored rows for the score.
            ValidationFraction = 0,
            ScoreKind = ScoreKind.ReconstructionError,
            Progress = _ => epochEnds.Add(watch.Elapsed.TotalSeconds),
        }).Fit(view);
        return (epochs - 1) * (double)rows / (epochEnds[^1] - epochEnds[0]);
    }

    private static string I(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private (double? SamplesPerSecond, string Note) RunPyTorch(FeatureMatrix standardized, int threads)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "pytorch", "train_reference.py");
        string dataPath = Path.Combine(Path.GetTempPath(), $"training-rows-{Environment.ProcessId}.f32");
        try
        {
            File.WriteAllBytes(dataPath, MemoryMarshal.AsBytes(standardized.Values.AsSpan()).ToArray());
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { script, "--data", dataPath, "--features", I(network.Features), "--hidden", I(network.Hidden),
                    "--latent", I(network.Latent), "--batch", I(network.BatchSize), "--epochs", I(epochs), "--threads", I(threads),
                    "--noise", network.NoiseSigma.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                return (null, "PyTorch run failed (run benchmarks/setup): " + error.Result.Trim().Split('\n')[^1]);
            using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            return (json.RootElement.GetProperty("samples_per_second").GetDouble(), "torch " + json.RootElement.GetProperty("torch").GetString());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, "no /usr/bin/python3: " + e.Message);
        }
        finally
        {
            File.Delete(dataPath);
        }
    }
}
