using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Autoencoders.ML;
using Autoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Packaging;

/// <summary>
/// What an adopter does, end to end: pack both libraries into a local feed; build applications outside the repository
/// that reference the package and choose their own native runtimes (CPU libtorch and ONNX Runtime; ONNX Runtime alone
/// for scoring; ONNX Runtime's GPU build on a machine without CUDA); and score an exported model in another ONNX Runtime
/// host (Node). Each test prints what it measured (publish sizes) for the README.
/// </summary>
[TestClass]
[TestCategory("Packaging")]
public sealed class PackageTests
{
    private static string _work = "";
    private static string _feed = "";
    private static string _version = "";
    private static readonly string Saved = Path.Combine(AppContext.BaseDirectory, "TestData", "saved-0.1.0");

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void Pack(TestContext _)
    {
        _work = Directory.CreateTempSubdirectory("autoencoders-packages").FullName;
        _feed = Path.Combine(_work, "feed");
        // A version of its own per run: the NuGet cache never serves a package packed by an earlier run.
        _version = "0.2.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        foreach (string project in new[] { "Autoencoders.Training", "Autoencoders.ML" })
            Processes.RunChecked("dotnet", $"pack {project} -c Release -o \"{_feed}\" -p:Version={_version}", Processes.RepositoryRoot);
    }

    [ClassCleanup]
    public static void Clean()
    {
        if (Directory.Exists(_work))
            Directory.Delete(_work, recursive: true);
    }

    /// <summary>An application project outside the repository: the package from the local feed plus <paramref name="natives"/>.</summary>
    private static string Consumer(string name, string natives, string program)
    {
        string directory = Path.Combine(_work, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{_feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Autoencoders.ML" Version="{_version}" />
            {natives}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), program);
        return directory;
    }

    /// <summary>Reads rows.csv of the saved model: features and the scores 0.1.0 gave them (CPU ONNX Runtime).</summary>
    private const string ReadRows = """
        static (List<Row> Rows, float[] Expected) ReadRows(string path)
        {
            var lines = File.ReadAllLines(path).Skip(1).Select(l => l.Split(',')).ToList();
            float F(string s) => float.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
            return (lines.Select(l => new Row { Features = l[1..9].Select(F).ToArray() }).ToList(), lines.Select(l => F(l[9])).ToArray());
        }
        static Microsoft.ML.IDataView Load(Microsoft.ML.MLContext context, List<Row> rows)
        {
            var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(Row));
            schema[0].ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, 8);
            return context.Data.LoadFromEnumerable(rows, schema);
        }
        public sealed class Row { public float[] Features { get; set; } = []; }
        """;

    private static long FolderBytes(string folder) => new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static string Sha256(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void PackageConsumer_FromLocalFeed_TrainsScoresSavesAndReloads()
    {
        string directory = Consumer("FullConsumer", """
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
                <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.31.1" />
            """, """
            using Autoencoders.ML;
            using Autoencoders.Training.Native;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            var random = new Random(1);
            var rows = Enumerable.Range(0, 300).Select(_ => { float t = (float)random.NextDouble(); return new Row { Features = [t, 2 * t, 3 * t, 1 - t, t * t, 0.5f, t, -t] }; }).ToList();
            var context = new MLContext(seed: 1);
            var data = Load(context, rows);
            var model = context.AnomalyDetection.Trainers.Autoencoder(numberOfEpochs: 5, seed: 1).Fit(data);
            var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
            context.Model.Save(model, data.Schema, "model.zip");
            var plain = new MLContext().Model.Load("model.zip", out _).Transform(data).GetColumn<float>("Score").ToArray();
            var batched = new MLContext().Model.LoadWithAutoencoders("model.zip", out _).Transform(data).GetColumn<float>("Score").ToArray();
            bool same = scores.SequenceEqual(batched) && scores.Zip(plain).All(p => Math.Abs(p.First - p.Second) <= 1e-6 * Math.Max(1, Math.Abs(p.First)));
            Console.WriteLine($"trained and scored {scores.Length} rows; reloaded: {(same ? "same scores" : "DIFFERENT SCORES")}");
            Console.WriteLine($"native: {TorchNativeLibrary.Status}");
            static Microsoft.ML.IDataView Load(MLContext context, List<Row> rows)
            {
                var schema = SchemaDefinition.Create(typeof(Row));
                schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 8);
                return context.Data.LoadFromEnumerable(rows, schema);
            }
            public sealed class Row { public float[] Features { get; set; } = []; }
            """);
        string output = Processes.RunChecked("dotnet", "run -c Release", directory);
        StringAssert.Contains(output, "trained and scored 300 rows; reloaded: same scores");

        // The application's own copy of TorchSharp's native library is left as the package shipped it.
        string shipped = Directory.GetFiles(Path.Combine(directory, "bin"), "libLibTorchSharp.so", SearchOption.AllDirectories).First();
        string package = Directory.GetFiles(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", "torchsharp", "0.107.0"),
            "libLibTorchSharp.so", SearchOption.AllDirectories).First(f => f.Contains("linux-x64", StringComparison.Ordinal));
        Assert.AreEqual(Sha256(package), Sha256(shipped), "libLibTorchSharp.so in the output folder was modified");
        Assert.IsFalse(Directory.EnumerateDirectories(Path.Combine(directory, "bin"), "cpu", SearchOption.AllDirectories).Any(),
            "TorchSharp's fallback copy of libtorch (a failed load) must not happen");

        string published = Path.Combine(directory, "published");
        Processes.RunChecked("dotnet", $"publish -c Release -r linux-x64 --self-contained false -o \"{published}\"", directory);
        long bytes = FolderBytes(published);
        var files = Directory.GetFiles(published, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        TestContext.WriteLine($"full consumer (train and score), linux-x64 framework-dependent publish: {bytes / 1e6:F0} MB; {output}");
        Assert.IsFalse(files.Any(f => f!.EndsWith(".dll", StringComparison.Ordinal) && f.StartsWith("onnxruntime", StringComparison.Ordinal)), "no Windows ONNX Runtime in a Linux publish: " + string.Join(", ", files));
        Assert.DoesNotContain("libtorch_python.so", files);
        Assert.IsLessThan(525_000_000L, bytes, $"{bytes / 1e6:F0} MB");
        // The published application itself trains and scores.
        StringAssert.Contains(Processes.RunChecked("dotnet", $"\"{Path.Combine(published, "FullConsumer.dll")}\"", directory), "trained and scored 300 rows; reloaded: same scores");
    }

    /// <summary>
    /// The packed libraries on ML.NET 6 (and ONNX Runtime 1.32): an application that references Microsoft.ML 6.0.0 trains,
    /// scores, saves and reloads with both loaders; it loads a file saved under ML.NET 5 (the 0.1.0 test file) with the scores
    /// it was saved with; and this test process, on ML.NET 5, loads the file the ML.NET 6 application saved, with its scores.
    /// </summary>
    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void MLNet6Consumer_TrainsScoresSavesAndLoads_FilesOfBothVersions()
    {
        string directory = Consumer("MLNet6", """
                <PackageReference Include="Microsoft.ML" Version="6.0.0" />
                <PackageReference Include="Microsoft.ML.OnnxTransformer" Version="6.0.0" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
                <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.32.0" />
            """, """
            using Autoencoders.ML;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            Console.WriteLine("ML.NET " + System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(MLContext).Assembly)?.InformationalVersion.Split('+')[0]);
            var (savedRows, savedScores) = ReadRows(args[1]);
            var context = new MLContext(seed: 1);
            // A 0.1.0 file holds its threshold in an ML.NET Expression, which ML.NET's own loader parses with the current
            // culture (README, "Saved models"): plain Model.Load opens it under a decimal-point culture; ours under any.
            foreach (var load in new Func<ITransformer>[] { () => new MLContext().Model.LoadWithAutoencoders(args[0], out _), () => Invariant(() => new MLContext().Model.Load(args[0], out _)) })
            {
                var scores = load().Transform(Load(context, savedRows)).GetColumn<float>("Score").ToArray();
                bool close = scores.Zip(savedScores).All(p => Math.Abs(p.First - p.Second) <= 1e-6 * Math.Max(1, Math.Abs(p.Second)));
                Console.WriteLine(close ? "ML.NET 5 file: same scores" : "ML.NET 5 file: DIFFERENT SCORES");
            }
            var random = new Random(1);
            var rows = Enumerable.Range(0, 300).Select(_ => { float t = (float)random.NextDouble(); return new Row { Features = [t, 2 * t, 3 * t, 1 - t, t * t, 0.5f, t, -t] }; }).ToList();
            var data = Load(context, rows);
            var model = context.AnomalyDetection.Trainers.Autoencoder(numberOfEpochs: 5, seed: 1).Fit(data);
            var trained = model.Transform(data).GetColumn<float>("Score").ToArray();
            context.Model.Save(model, data.Schema, args[2]);
            var batched = new MLContext().Model.LoadWithAutoencoders(args[2], out _).Transform(data).GetColumn<float>("Score").ToArray();
            var plain = new MLContext().Model.Load(args[2], out _).Transform(data).GetColumn<float>("Score").ToArray();
            bool same = trained.SequenceEqual(batched) && trained.Zip(plain).All(p => Math.Abs(p.First - p.Second) <= 1e-5 * Math.Max(1, Math.Abs(p.First)));
            Console.WriteLine($"ML.NET 6: trained and scored {trained.Length} rows; reloaded: {(same ? "same scores" : "DIFFERENT SCORES")}");
            File.WriteAllLines(args[3], trained.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            static Microsoft.ML.IDataView Load(MLContext context, List<Row> rows)
            {
                var schema = SchemaDefinition.Create(typeof(Row));
                schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 8);
                return context.Data.LoadFromEnumerable(rows, schema);
            }
            static T Invariant<T>(Func<T> f)
            {
                var culture = System.Globalization.CultureInfo.CurrentCulture;
                System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
                try { return f(); }
                finally { System.Globalization.CultureInfo.CurrentCulture = culture; }
            }
            static (List<Row> Rows, float[] Expected) ReadRows(string path)
            {
                var lines = File.ReadAllLines(path).Skip(1).Select(l => l.Split(',')).ToList();
                float F(string s) => float.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
                return (lines.Select(l => new Row { Features = l[1..9].Select(F).ToArray() }).ToList(), lines.Select(l => F(l[9])).ToArray());
            }
            public sealed class Row { public float[] Features { get; set; } = []; }
            """);
        string saved6 = Path.Combine(directory, "model6.zip"), scores6 = Path.Combine(directory, "scores6.txt");
        string output = Processes.RunChecked("dotnet", $"run -c Release -- \"{Path.Combine(Saved, "model.zip")}\" \"{Path.Combine(Saved, "rows.csv")}\" \"{saved6}\" \"{scores6}\"", directory);
        TestContext.WriteLine(output);
        StringAssert.Contains(output, "ML.NET 6.0.0");
        Assert.AreEqual(2, output.Split('\n').Count(l => l.Contains("ML.NET 5 file: same scores", StringComparison.Ordinal)), output);
        StringAssert.Contains(output, "ML.NET 6: trained and scored 300 rows; reloaded: same scores");

        // Back on ML.NET 5 (this process): the file ML.NET 6 saved loads with both loaders and gives its scores.
        var expected = File.ReadAllLines(scores6).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        var random = new Random(1);
        var rows = Enumerable.Range(0, 300).Select(_ => { float t = (float)random.NextDouble(); return new FeatureRow { Features = [t, 2 * t, 3 * t, 1 - t, t * t, 0.5f, t, -t] }; }).ToList();
        var context = new MLContext();
        var data = FeatureRow.Load(context, rows, 8);
        CollectionAssert.AreEqual(expected, context.Model.LoadWithAutoencoders(saved6, out _).Transform(data).GetColumn<float>("Score").ToArray());
        Floats.AssertClose(expected, context.Model.Load(saved6, out _).Transform(data).GetColumn<float>("Score").ToArray(), Floats.ScoreRowVersusBatch, "score");
    }

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void ScoringOnlyConsumer_WithoutLibtorch_PublishesSmall_AndScoresASavedModel()
    {
        string directory = Consumer("ScoringOnly", """
                <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.31.1" />
            """, """
            using Autoencoders.ML;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            var context = new MLContext();
            var (rows, expected) = ReadRows(args[1]);
            var model = context.Model.LoadWithAutoencoders(args[0], out _);
            var scores = model.Transform(Load(context, rows)).GetColumn<float>("Score").ToArray();
            Console.WriteLine(scores.SequenceEqual(expected) ? $"scored {scores.Length} rows as saved" : "DIFFERENT SCORES");
            bool libtorch = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "TorchSharp") && File.Exists(Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so"));
            Console.WriteLine($"libtorch present: {libtorch}");
            """ + ReadRows);
        string published = Path.Combine(directory, "published");
        Processes.RunChecked("dotnet", $"publish -c Release -r linux-x64 --self-contained false -o \"{published}\"", directory);
        var files = Directory.GetFiles(published, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.IsFalse(files.Any(f => f!.StartsWith("libtorch", StringComparison.Ordinal) || f.StartsWith("libc10", StringComparison.Ordinal)),
            "a scoring-only application must not ship libtorch: " + string.Join(", ", files));
        long bytes = FolderBytes(published);
        TestContext.WriteLine($"scoring-only consumer, linux-x64 framework-dependent publish: {bytes / 1e6:F1} MB in {files.Count} files");
        Assert.IsFalse(files.Any(f => f!.EndsWith(".dll", StringComparison.Ordinal) && f.StartsWith("onnxruntime", StringComparison.Ordinal)), "no Windows ONNX Runtime in a Linux publish: " + string.Join(", ", files));
        Assert.IsLessThan(45_000_000L, bytes, $"{bytes / 1e6:F1} MB");

        string output = Processes.RunChecked("dotnet", $"\"{Path.Combine(published, "ScoringOnly.dll")}\" \"{Path.Combine(Saved, "model.zip")}\" \"{Path.Combine(Saved, "rows.csv")}\"", directory);
        StringAssert.Contains(output, "scored 28 rows as saved");
        StringAssert.Contains(output, "libtorch present: False");
    }

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void ConsumerWithoutNativeRuntimes_GetsErrorsThatNameThePackagesToAdd()
    {
        string directory = Consumer("NoNatives", "", """
            using Autoencoders.ML;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            var context = new MLContext(seed: 1);
            var (rows, _) = ReadRows(args[1]);
            var data = Load(context, rows);
            try
            {
                context.AnomalyDetection.Trainers.Autoencoder(numberOfEpochs: 1).Fit(data);
                Console.WriteLine("trained without libtorch?");
            }
            catch (InvalidOperationException e)
            {
                Console.WriteLine("TRAIN " + e.Message);
            }
            try
            {
                context.Transforms.ApplyAutoencoder(args[0]).Fit(data);
                Console.WriteLine("scored without ONNX Runtime?");
            }
            catch (InvalidOperationException e)
            {
                Console.WriteLine("SCORE " + e.Message);
            }
            """ + ReadRows);
        Processes.RunChecked("dotnet", "build -c Release", directory);
        string output = Processes.RunChecked("dotnet", $"run -c Release --no-build -- \"{Path.Combine(Saved, "model.onnx")}\" \"{Path.Combine(Saved, "rows.csv")}\"", directory);
        StringAssert.Contains(output, "TRAIN Training needs TorchSharp's native libraries");
        StringAssert.Contains(output, "TorchSharp-cpu");
        StringAssert.Contains(output, "SCORE ONNX Runtime's native library was not found");
        StringAssert.Contains(output, "Microsoft.ML.OnnxRuntime");
        Assert.IsFalse(Directory.EnumerateDirectories(Path.Combine(directory, "bin"), "cpu", SearchOption.AllDirectories).Any(),
            "TorchSharp's fallback copy of libtorch must not happen");
    }

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void GpuPackage_WithoutCuda_FallsBackToCpu_WithTheCpuPackagesScores_OrFailsClearly()
    {
        string directory = Consumer("GpuFallback", """
                <PackageReference Include="Microsoft.ML.OnnxRuntime.Gpu" Version="1.31.0" />
            """, """
            using Autoencoders.ML;
            using Autoencoders.ML.Scoring;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            var context = new MLContext();
            context.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) Console.WriteLine("WARNING " + e.RawMessage); };
            var (rows, expected) = ReadRows(args[1]);
            var data = Load(context, rows);
            using var model = context.Transforms.ApplyAutoencoder(args[0], new AutoencoderScoringOptions { GpuDeviceId = 0 }).Fit(data);
            Console.WriteLine($"scoring on {(model.ScoringGpuDeviceId is int gpu ? "GPU " + gpu : "CPU")}");
            var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
            Console.WriteLine(scores.SequenceEqual(expected) ? "scores identical to the CPU package's" : "DIFFERENT SCORES");
            try
            {
                context.Transforms.ApplyAutoencoder(args[0], new AutoencoderScoringOptions { GpuDeviceId = 0, FallbackToCpu = false }).Fit(data);
                Console.WriteLine("no error without fallback");
            }
            catch (InvalidOperationException e)
            {
                Console.WriteLine("ERROR " + e.Message);
            }
            // The GPU asked for on the MLContext, for loading a saved model: one warning, the CPU's scores.
            var gpuContext = new MLContext { GpuDeviceId = 0, FallbackToCpu = true };
            int warnings = 0;
            gpuContext.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning && e.RawMessage.Contains("GPU scoring on device 0")) warnings++; };
            var loaded = gpuContext.Model.LoadWithAutoencoders(args[2], out _);
            var contextScores = loaded.Transform(Load(gpuContext, rows)).GetColumn<float>("Score").ToArray();
            Console.WriteLine($"context GPU: {warnings} warning(s), " + (contextScores.SequenceEqual(expected) ? "scores identical to the CPU package's" : "DIFFERENT SCORES"));
            """ + ReadRows);
        Processes.RunChecked("dotnet", "build -c Release", directory);
        string output = Processes.RunChecked("dotnet", $"run -c Release --no-build -- \"{Path.Combine(Saved, "model.onnx")}\" \"{Path.Combine(Saved, "rows.csv")}\" \"{Path.Combine(Saved, "model.zip")}\"", directory);
        TestContext.WriteLine(output);
        Assert.IsTrue(Directory.GetFiles(Path.Combine(directory, "bin"), "libonnxruntime_providers_cuda.so", SearchOption.AllDirectories).Any(),
            "the GPU build of ONNX Runtime must be the one in the output folder");
        StringAssert.Contains(output, "WARNING GPU scoring on device 0 is not available");
        StringAssert.Contains(output, "CUDA provider could not start");
        StringAssert.Contains(output, "scoring on CPU");
        StringAssert.Contains(output, "scores identical to the CPU package's");
        StringAssert.Contains(output, "ERROR GPU scoring on device 0 is not available");
        StringAssert.Contains(output, "context GPU: 1 warning(s), scores identical to the CPU package's");
    }

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void NodeOnnxRuntime_ScoresTheExportedModel_LikeThisLibrary()
    {
        string directory = Path.Combine(_work, "node");
        Directory.CreateDirectory(directory);
        Processes.RunChecked("npm", "install --no-audit --no-fund --loglevel=error onnxruntime-node@1.30.0", directory);
        File.WriteAllText(Path.Combine(directory, "score.js"), """
            const ort = require('onnxruntime-node');
            const fs = require('fs');
            (async () => {
              const session = await ort.InferenceSession.create(process.argv[2]);
              const rows = fs.readFileSync(process.argv[3], 'utf8').trim().split('\n').slice(1).map(l => l.split(',').slice(1, 9).map(Number));
              const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 8]);
              const out = await session.run({ Features: input });
              console.log(JSON.stringify({ score: Array.from(out.Score.data), label: Array.from(out.PredictedLabel.data).map(Boolean) }));
            })();
            """);
        string json = Processes.RunChecked("node", $"score.js \"{Path.Combine(Saved, "model.onnx")}\" \"{Path.Combine(Saved, "rows.csv")}\"", directory);
        using var node = JsonDocument.Parse(json.Trim().Split('\n')[^1]);
        var nodeScores = node.RootElement.GetProperty("score").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var nodeLabels = node.RootElement.GetProperty("label").EnumerateArray().Select(e => e.GetBoolean()).ToArray();

        var context = new MLContext();
        var lines = File.ReadAllLines(Path.Combine(Saved, "rows.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var rows = lines.Select(l => new FeatureRow { Features = l[1..9].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray() });
        var data = FeatureRow.Load(context, rows, 8);
        using var model = context.Transforms.ApplyAutoencoder(Path.Combine(Saved, "model.onnx")).Fit(data);
        var scored = model.Transform(data);
        var scores = scored.GetColumn<float>("Score").ToArray();
        float worst = scores.Zip(nodeScores).Max(p => Math.Abs(p.First - p.Second) / Math.Max(1, Math.Abs(p.First)));
        TestContext.WriteLine($"Node onnxruntime 1.30.0 vs this library (ONNX Runtime 1.31.1): {scores.Zip(nodeScores).Count(p => p.First == p.Second)} of {scores.Length} scores bit-identical, largest relative difference {worst:G3}");
        Assert.IsLessThanOrEqualTo(1e-6f, worst);
        CollectionAssert.AreEqual(scored.GetColumn<bool>("PredictedLabel").ToArray(), nodeLabels);
    }
}
