using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Autoencoders.Benchmarks.Support;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Benchmarks.Tabular;

/// <summary>
/// <c>tabular</c>: the one-class protocol on the development suite of benchmarks/tabular (twelve public data sets, see its
/// README): for each set and seed, train on 60% of the normal rows, test on the rest plus all anomalies, AUC-ROC and
/// AUPRC. Our default detector (<c>AnomalyDetection.Trainers.Autoencoder</c> with nothing but the seed set) and the
/// reconstruction-error variant, side by side with k-NN, IsolationForest and PCA (scikit-learn, on the same standardized
/// splits, from baselines.json). Options: <c>--protocol validation</c> (the splits defaults are chosen on: fit rows and
/// held-out training normals, never a test row), <c>--sets a,b</c>, <c>--seeds N</c> (0..N-1, default 5),
/// <c>--detectors default,reconstruction</c>, the default detector's nearest-neighbour settings (<see cref="NeighborArguments"/>,
/// e.g. <c>--reference rows</c>, <c>--reference-size 256</c>; each defaults to the library's), <c>--data FOLDER</c> (default
/// /tmp/autoencoders-tabular; made by benchmarks/tabular/prepare.py and baselines.py, which this command runs when the folder
/// is missing). Besides AUCs it prints each detector's ONNX model size and batched scoring rate (the test rows cycled to
/// at least <see cref="ScoringRows"/> rows, so consecutive rows differ), means over seeds.
/// </summary>
internal static class TabularCommand
{
    private sealed class Row
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    private sealed record Detector(string Name, string Column, Func<int, AutoencoderAnomalyDetectionTrainer.Options> Options);

    public static int Run(Arguments arguments)
    {
        string data = arguments.String("data", Path.Combine(Path.GetTempPath(), "autoencoders-tabular"));
        string protocol = arguments.String("protocol", "test");
        if (protocol is not ("test" or "validation"))
            throw new ArgumentOutOfRangeException("--protocol", protocol, "Expected test or validation.");
        int seeds = arguments.Int("seeds", 5);
        var neighbors = NeighborArguments.Parse(arguments);
        string changed = NeighborArguments.Differences(neighbors, images: false);
        var detectors = new List<Detector>
        {
            new("default", changed.Length == 0 ? "Ours (default)" : $"Ours ({changed})", seed => new AutoencoderAnomalyDetectionTrainer.Options { Seed = seed, Neighbors = neighbors with { } }),
            new("reconstruction", "Ours (recon. error)", seed => new AutoencoderAnomalyDetectionTrainer.Options { Seed = seed, ScoreKind = ScoreKind.ReconstructionError }),
        }.Where(d => arguments.String("detectors", "default,reconstruction").Split(',').Contains(d.Name)).ToList();
        void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

        Prepare(data, Log);
        using var suite = JsonDocument.Parse(File.ReadAllText(Path.Combine(data, "suite.json")));
        using var baselines = JsonDocument.Parse(File.ReadAllText(Path.Combine(data, "baselines.json")));
        var only = arguments.String("sets", "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var sets = suite.RootElement.GetProperty("sets").EnumerateArray().Where(s => only.Count == 0 || only.Contains(s.GetProperty("name").GetString()!)).ToList();
        string[] baselineNames = ["knn", "iforest", "pca"];

        var c = CultureInfo.InvariantCulture;
        var results = new List<(string Set, double[] Auc, double[] Auprc, double[] BaselineAuc, double[] BaselineAuprc, double Seconds, double[] Kilobytes, double[] RowsPerSecond)>();
        foreach (var set in sets)
        {
            string name = set.GetProperty("name").GetString()!;
            var auc = new double[detectors.Count];
            var auprc = new double[detectors.Count];
            var kilobytes = new double[detectors.Count];
            var rate = new double[detectors.Count];
            var clock = Stopwatch.StartNew();
            for (int seed = 0; seed < seeds; seed++)
            {
                var files = set.GetProperty("files").GetProperty(seed.ToString(c)).GetProperty(protocol);
                var (train, _) = Read(Path.Combine(data, files.GetProperty("train").GetProperty("path").GetString()!));
                var (test, labels) = Read(Path.Combine(data, files.GetProperty("test").GetProperty("path").GetString()!));
                for (int i = 0; i < detectors.Count; i++)
                {
                    var context = new MLContext(seed: seed);
                    using var model = context.AnomalyDetection.Trainers.Autoencoder(detectors[i].Options(seed)).Fit(Load(context, train));
                    var scores = model.Transform(Load(context, test)).GetColumn<float>("Score").ToArray();
                    auc[i] += RankMetrics.Auc(scores, labels) / seeds;
                    auprc[i] += RankMetrics.AveragePrecision(scores, labels) / seeds;
                    kilobytes[i] += model.Model.ToBytes().Length / 1024.0 / seeds;
                    rate[i] += ScoringRate(context, model, test) / seeds;
                }
                Log($"{name} seed {seed}: {string.Join(", ", detectors.Select((d, i) => $"{d.Name} running AUC {auc[i] * seeds / (seed + 1):F4}"))}");
            }
            var summary = baselines.RootElement.GetProperty("summary").GetProperty(protocol).GetProperty(name);
            results.Add((name, auc, auprc,
                baselineNames.Select(b => summary.GetProperty(b).GetProperty("auc_mean").GetDouble()).ToArray(),
                baselineNames.Select(b => summary.GetProperty(b).GetProperty("auprc_mean").GetDouble()).ToArray(),
                clock.Elapsed.TotalSeconds / seeds, kilobytes, rate));
        }

        Console.WriteLine(Machine.Describe());
        Console.WriteLine($"Protocol '{protocol}', seeds 0..{seeds - 1}: train on {(protocol == "test" ? "60% of the normal rows" : "the fit rows (80% of those 60%)")}, " +
                          $"test on {(protocol == "test" ? "the other normal rows and all anomalies" : "the held-out training normals and half the anomalies")}; standardized with the training rows. AUC-ROC, mean over seeds.");
        Console.WriteLine();
        string header = "| Set | Rows | Features | " + string.Join(" | ", detectors.Select(d => d.Column)) + " | k-NN | IsolationForest | PCA | " +
                        string.Join(" | ", detectors.Select(d => d.Column + " AUPRC")) + " | k-NN AUPRC | Fit (s) | " +
                        string.Join(" | ", detectors.Select(d => d.Column + " model (KB)")) + " | " + string.Join(" | ", detectors.Select(d => d.Column + " scoring (rows/s)")) + " |";
        Console.WriteLine(header);
        Console.WriteLine("|" + string.Concat(header.Count(ch => ch == '|') - 1 is int n ? Enumerable.Repeat("---|", n) : []));
        foreach (var r in results)
        {
            var set = sets.First(s => s.GetProperty("name").GetString() == r.Set);
            Console.WriteLine(string.Create(c, $"| {r.Set} | {set.GetProperty("rows").GetInt32()} | {set.GetProperty("features").GetInt32()} | ") +
                string.Join(" | ", r.Auc.Select(a => a.ToString("F4", c))) + " | " + string.Join(" | ", r.BaselineAuc.Select(a => a.ToString("F4", c))) + " | " +
                string.Join(" | ", r.Auprc.Select(a => a.ToString("F4", c))) + " | " + r.BaselineAuprc[0].ToString("F4", c) + " | " + r.Seconds.ToString("F1", c) + " | " +
                string.Join(" | ", r.Kilobytes.Select(k => k.ToString("N0", c))) + " | " + string.Join(" | ", r.RowsPerSecond.Select(v => v.ToString("N0", c))) + " |");
        }
        double Mean(Func<(string Set, double[] Auc, double[] Auprc, double[] BaselineAuc, double[] BaselineAuprc, double Seconds, double[] Kilobytes, double[] RowsPerSecond), double> value) => results.Average(value);
        Console.WriteLine("| **mean** | | | " + string.Join(" | ", detectors.Select((_, i) => $"**{Mean(r => r.Auc[i]).ToString("F4", c)}**")) + " | " +
            string.Join(" | ", baselineNames.Select((_, i) => Mean(r => r.BaselineAuc[i]).ToString("F4", c))) + " | " +
            string.Join(" | ", detectors.Select((_, i) => Mean(r => r.Auprc[i]).ToString("F4", c))) + " | " + Mean(r => r.BaselineAuprc[0]).ToString("F4", c) + " | " +
            Mean(r => r.Seconds).ToString("F1", c) + " | " +
            string.Join(" | ", detectors.Select((_, i) => Mean(r => r.Kilobytes[i]).ToString("N0", c))) + " | " + string.Join(" | ", detectors.Select((_, i) => Mean(r => r.RowsPerSecond[i]).ToString("N0", c))) + " |");
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"mean AUC: ours {Mean(r => r.Auc[0]):F4}; k-NN {Mean(r => r.BaselineAuc[0]):F4}; IsolationForest {Mean(r => r.BaselineAuc[1]):F4}; PCA {Mean(r => r.BaselineAuc[2]):F4}"));
        return 0;
    }

    /// <summary>Rows scored per scoring-rate measurement: the test rows cycled up to at least this many.</summary>
    private const int ScoringRows = 20_000;

    /// <summary>Batched scoring rate of <paramref name="model"/>: rows per second over the test rows cycled to <see cref="ScoringRows"/> rows, after one untimed pass.</summary>
    private static double ScoringRate(MLContext context, ITransformer model, List<Row> test)
    {
        var cycled = Load(context, Enumerable.Range(0, (ScoringRows + test.Count - 1) / test.Count).SelectMany(_ => test).ToList());
        model.Transform(cycled).GetColumn<float>("Score").Count();
        var clock = Stopwatch.StartNew();
        int rows = model.Transform(cycled).GetColumn<float>("Score").Count();
        return rows / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Makes the suite's splits and the scikit-learn baselines when the folder lacks them (Debian packages, ~1 min).</summary>
    private static void Prepare(string data, Action<string> log)
    {
        if (File.Exists(Path.Combine(data, "suite.json")) && File.Exists(Path.Combine(data, "baselines.json")))
            return;
        string scripts = Path.Combine(Repository.Root, "benchmarks", "tabular");
        log($"preparing the suite in {data} (benchmarks/tabular: setup, prepare.py, baselines.py)");
        RunTool("bash", $"\"{Path.Combine(scripts, "setup")}\"");
        RunTool("/usr/bin/python3", $"\"{Path.Combine(scripts, "prepare.py")}\" \"{data}\"");
        RunTool("/usr/bin/python3", $"\"{Path.Combine(scripts, "baselines.py")}\" \"{data}\"");
    }

    private static void RunTool(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true })!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed with exit code {process.ExitCode}.");
    }



    private static (List<Row> Rows, bool[] Anomalous) Read(string path)
    {
        var rows = File.ReadLines(path).Skip(1).Select(line =>
        {
            var values = line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return new Row { Label = values[0], Features = values[1..] };
        }).ToList();
        return (rows, rows.Select(r => r.Label == 1).ToArray());
    }

    private static IDataView Load(MLContext context, List<Row> rows)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Features.Length);
        return context.Data.LoadFromEnumerable(rows, schema);
    }
}
