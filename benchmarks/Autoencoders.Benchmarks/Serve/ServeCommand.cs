using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Autoencoders.Benchmarks.Support;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Benchmarks.Serve;

/// <summary>
/// <c>serve</c>: the scoring service (examples/ScoringService) under load, in one run, for the default detector and for
/// <see cref="ScoreKind.ReconstructionError"/>: the service runs in a process of its own on a loopback port, driven by
/// <c>--clients</c> concurrent HttpClient loops for <c>--warmup</c> seconds (checked, not timed: the services start cold and
/// compile as they go) and then <c>--seconds</c> timed per phase — one-row requests (the model file replaced
/// once, half way, by renaming another model over it), then <c>--batch-rows</c>-row requests in JSON, then the same rows
/// as little-endian float32 bodies with binary answers — beside the same API answering constant results (a second service
/// process with <c>Model:ConstantScores</c>: this machine's HTTP ceiling) and in-process batched scoring of the same rows.
/// Every returned score is checked against the in-process score of its row under one of the two models (all of a response
/// under the same one); the constant answers are read and counted alike, so the load generator does the same work in
/// every phase. Failed requests and wrong answers are counted; the service's working set is sampled every second while
/// each load runs (the middle third of the phase against its last third).
/// Options: <c>--seconds N</c> (default 90), <c>--warmup N</c> (default 5), <c>--clients N</c> (default 8),
/// <c>--batch-rows N</c> (default 1000), <c>--features N</c> (default 36), <c>--train-rows N</c> (default 20000),
/// <c>--port N</c> (default 5080; the constant service uses the next one).
/// </summary>
internal static class ServeCommand
{
    private sealed record Phase(string Detector, string What, double RequestsPerSecond, double RowsPerSecond, double P50Ms, double P99Ms, int Failed, int Wrong, int Requests);

    public static int Run(Arguments arguments)
    {
        int seconds = arguments.Int("seconds", 90);
        int warmup = arguments.Int("warmup", 5);
        int clients = arguments.Int("clients", 8);
        int batchRows = arguments.Int("batch-rows", 1000);
        int features = arguments.Int("features", 36);
        int trainRows = arguments.Int("train-rows", 20_000);
        int port = arguments.Int("port", 5080);
        void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

        string service = BuildService(Log);
        string folder = Directory.CreateTempSubdirectory("autoencoders-serve").FullName;
        var phases = new List<Phase>();
        var memory = new List<(string Detector, string Load, double MiddleMiB, double LastMiB, int WindowSeconds)>();
        var inProcess = new Dictionary<string, double>();
        try
        {
            var pool = SyntheticRows.Create(10_000, features, seed: 21, rank: Math.Max(2, features / 4));
            foreach (var (name, kind) in new[] { ("default", AutoencoderDefaults.DetectorScoreKind), ("ReconstructionError", ScoreKind.ReconstructionError) })
            {
                Log($"{name}: training two models on {trainRows} × {features}");
                string a = Train(Path.Combine(folder, $"{name}-a.zip"), kind, trainRows, features, seed: 1);
                string b = Train(Path.Combine(folder, $"{name}-b.zip"), kind, trainRows, features, seed: 2);
                var scoresA = InProcess(a, pool, out double rate);
                var scoresB = InProcess(b, pool, out _);
                inProcess[name] = rate;
                string served = Path.Combine(folder, $"{name}-served.zip");
                File.Copy(a, served, overwrite: true);

                using var scoring = StartService(service, served, port, constant: false, Log);
                using var constant = StartService(service, served, port + 1, constant: true, Log);
                var swap = () =>
                {
                    string staging = served + ".new";
                    File.Copy(b, staging, overwrite: true);
                    File.Move(staging, served, overwrite: true);
                    Log($"{name}: replaced the model file (renamed over the path)");
                };
                // The working set is sampled every second while each of the two loads runs (their memory needs differ):
                // the middle third of a phase (the first warms up) against its last third.
                foreach (var (rowsPerRequest, binary, what, onSwap) in new (int, bool, string, Action?)[]
                {
                    (1, false, "one-row requests", swap), (batchRows, false, $"{batchRows}-row requests", null), (batchRows, true, $"{batchRows}-row requests, float32 bodies", null),
                })
                {
                    var sampler = Sample(scoring.Process);
                    phases.Add(Drive(name, what, $"http://127.0.0.1:{port}", pool, rowsPerRequest, binary, clients, warmup, seconds, scoresA, scoresB, onSwap, Log));
                    var samples = sampler.Stop();
                    int third = Math.Max(1, samples.Count / 3);
                    memory.Add((name, what, samples.Skip(third).Take(third).Average(), samples.TakeLast(third).Average(), third));
                }
                phases.Add(Drive(name, "one-row requests, constant answer", $"http://127.0.0.1:{port + 1}", pool, 1, false, clients, warmup, seconds, null, null, null, Log));
                phases.Add(Drive(name, $"{batchRows}-row requests, constant answer", $"http://127.0.0.1:{port + 1}", pool, batchRows, false, clients, warmup, seconds, null, null, null, Log));
                phases.Add(Drive(name, $"{batchRows}-row requests, float32 bodies, constant answer", $"http://127.0.0.1:{port + 1}", pool, batchRows, true, clients, warmup, seconds, null, null, null, Log));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(Machine.Describe());
        Console.WriteLine(string.Create(c, $"Scoring service (examples/ScoringService, its own process, Kestrel on loopback) driven by {clients} concurrent HttpClient loops, {seconds} s per phase after {warmup} s of warm-up; rows of {features} features drawn from 10,000 synthetic rows; models trained on {trainRows} rows; the model file replaced once during the one-row phase."));
        Console.WriteLine();
        Console.WriteLine("| Score | Requests | Requests/s | Rows/s | p50 (ms) | p99 (ms) | Failed | Wrong answers |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var p in phases)
            Console.WriteLine(string.Create(c, $"| {p.Detector} | {p.What} | {p.RequestsPerSecond:N0} | {p.RowsPerSecond:N0} | {p.P50Ms:F2} | {p.P99Ms:F2} | {p.Failed} | {p.Wrong} |"));
        foreach (var (detector, rate) in inProcess)
            Console.WriteLine(string.Create(c, $"| {detector} | in-process batched scoring (no HTTP) | | {rate:N0} | | | | |"));
        Console.WriteLine();
        foreach (var (detector, load, middle, last, window) in memory)
            Console.WriteLine(string.Create(c, $"{detector}, {load}: service working set {middle:F0} MiB in the middle {window} s of the phase, {last:F0} MiB in the last {window} s ({100 * (last - middle) / middle:+0.0;-0.0}%)."));
        double oneRow = phases.Where(p => p.What.StartsWith("one-row requests", StringComparison.Ordinal) && !p.What.Contains("constant"))
            .Min(p => p.RequestsPerSecond / phases.First(q => q.Detector == p.Detector && q.What == "one-row requests, constant answer").RequestsPerSecond);
        double batch = phases.Where(p => p.What == $"{batchRows}-row requests, float32 bodies").Min(p => p.RowsPerSecond / inProcess[p.Detector]);
        double batchJson = phases.Where(p => p.What == $"{batchRows}-row requests").Min(p => p.RowsPerSecond / inProcess[p.Detector]);
        Console.WriteLine();
        double growth = memory.Max(m => (m.LastMiB - m.MiddleMiB) / m.MiddleMiB);
        Console.WriteLine(string.Create(c, $"largest working-set change within a phase: {100 * growth:+0.0;-0.0}%"));
        Console.WriteLine(string.Create(c, $"one-row vs ceiling: {oneRow:F2}; batch vs in-process: {batch:F2} (float32 bodies; JSON bodies {batchJson:F2}); failed: {phases.Sum(p => p.Failed)}; wrong: {phases.Sum(p => p.Wrong)}"));
        return 0;
    }

    private static string Train(string path, ScoreKind kind, int rows, int features, int seed)
    {
        var context = new MLContext(seed: seed);
        var data = DataViews.FromMatrix(context, SyntheticRows.Create(rows, features, seed: seed, rank: Math.Max(2, features / 4)));
        using var model = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { Seed = seed, ScoreKind = kind }).Fit(data);
        context.Model.Save(model, data.Schema, path);
        return path;
    }

    /// <summary>
    /// The pool's scores under the saved model, in process (the batched transformer), and its rate over the pool (median
    /// of three), reading what the service reads from the graph: the score and the label.
    /// </summary>
    private static float[] InProcess(string path, Training.Data.FeatureMatrix pool, out double rowsPerSecond)
    {
        var context = new MLContext();
        var model = context.Model.LoadWithAutoencoders(path, out _);
        var view = DataViews.FromMatrix(context, pool);
        var scores = model.Transform(view).GetColumn<float>("Score").ToArray();
        rowsPerSecond = pool.Rows / Measure.MedianSeconds(() => ScoresAndLabels(model.Transform(view)));
        (model as IDisposable)?.Dispose();
        return scores;
    }

    private static double ScoresAndLabels(IDataView scored)
    {
        double sum = 0;
        using var cursor = scored.GetRowCursor([scored.Schema["Score"], scored.Schema["PredictedLabel"]]);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        var label = cursor.GetGetter<bool>(scored.Schema["PredictedLabel"]);
        float value = 0;
        bool flagged = false;
        while (cursor.MoveNext())
        {
            score(ref value);
            label(ref flagged);
            sum += flagged ? value : -value;
        }
        return sum;
    }

    /// <summary>Builds examples/ScoringService (Release) and returns its assembly's path.</summary>
    private static string BuildService(Action<string> log)
    {
        string project = Path.Combine(Repository.Root, "examples", "ScoringService");
        log("building examples/ScoringService (Release)");
        Run("dotnet", $"build -c Release \"{project}\"");
        return Directory.GetFiles(Path.Combine(project, "bin", "Release"), "ScoringService.dll", SearchOption.AllDirectories).First();
    }

    private static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed:\n{output}{error.Result}");
    }

    private sealed class Service(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public void Dispose()
        {
            if (!Process.HasExited)
                Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
            Process.Dispose();
        }
    }

    private static Service StartService(string dll, string model, int port, bool constant, Action<string> log)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port} --model \"{model}\" --Model:MaxRows 100000 --Model:PollMilliseconds 200 --Model:ConstantScores {(constant ? "true" : "false")} --Logging:LogLevel:Default Warning --Logging:LogLevel:Autoencoders Information")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line && !constant) log("service: " + line.Trim()); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) log("service: " + line.Trim()); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 60)
        {
            try
            {
                if (http.GetAsync($"http://127.0.0.1:{port}/health").Result.StatusCode == HttpStatusCode.OK)
                    return new Service(process);
            }
            catch (AggregateException)
            {
            }
            if (process.HasExited)
                throw new InvalidOperationException($"The service exited with code {process.ExitCode}.");
            Thread.Sleep(200);
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"The service on port {port} did not become healthy within a minute.");
    }

    private sealed class Sampler(Process process)
    {
        private readonly List<double> _samples = [];
        private readonly CancellationTokenSource _stop = new();
        private Task? _task;

        public void Start() => _task = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                process.Refresh();
                lock (_samples)
                    _samples.Add(process.WorkingSet64 / 1048576.0);
                try { await Task.Delay(1000, _stop.Token); } catch (OperationCanceledException) { }
            }
        });

        public List<double> Stop()
        {
            _stop.Cancel();
            _task?.Wait();
            lock (_samples)
                return [.. _samples];
        }
    }

    private static Sampler Sample(Process process)
    {
        var sampler = new Sampler(process);
        sampler.Start();
        return sampler;
    }

    /// <summary>
    /// <paramref name="clients"/> loops posting requests of <paramref name="rows"/> rows (consecutive windows of the pool,
    /// so consecutive rows differ) for <paramref name="warmup"/> seconds and then <paramref name="seconds"/> timed (rates and
    /// latencies count requests started after the warm-up; failures and wrong answers count throughout); with expected
    /// scores, each response is checked against one model's (A, or B once <paramref name="swap"/> ran, half way through the
    /// timed seconds).
    /// </summary>
    private static Phase Drive(string detector, string what, string url, Training.Data.FeatureMatrix pool, int rows, bool binary, int clients, int warmup, int seconds,
        float[]? scoresA, float[]? scoresB, Action? swap, Action<string> log)
    {
        log($"{detector}: {what}, {clients} clients, {warmup} s of warm-up, {seconds} s timed");
        int features = pool.Columns;
        // Request bodies made before timing: one per start row, windows of `rows` consecutive pool rows.
        int bodies = Math.Min(pool.Rows, rows == 1 ? pool.Rows : 64);
        var requests = Enumerable.Range(0, bodies).Select(i =>
        {
            int start = rows == 1 ? i : (i * 997) % Math.Max(1, pool.Rows - rows);
            if (binary)
            {
                var bytes = new byte[rows * features * sizeof(float)];
                for (int r = 0; r < rows; r++)
                {
                    var row = pool.Row(start + r);
                    for (int j = 0; j < features; j++)
                        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((r * features + j) * sizeof(float)), row[j]);
                }
                return (Start: start, Body: bytes);
            }
            var sb = new StringBuilder("{\"rows\":[");
            for (int r = 0; r < rows; r++)
            {
                sb.Append(r == 0 ? "[" : ",[");
                var row = pool.Row(start + r);
                for (int j = 0; j < features; j++)
                    sb.Append(j == 0 ? "" : ",").Append(row[j].ToString("R", CultureInfo.InvariantCulture));
                sb.Append(']');
            }
            return (Start: start, Body: Encoding.UTF8.GetBytes(sb.Append("]}").ToString()));
        }).ToArray();

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        var latencies = new List<double>[clients];
        int failed = 0, wrong = 0, done = 0;
        var clock = Stopwatch.StartNew();
        bool swapped = false;
        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            latencies[client] = [];
            var random = new Random(client);
            var watch = new Stopwatch();
            while (clock.Elapsed.TotalSeconds < warmup + seconds)
            {
                bool timed = clock.Elapsed.TotalSeconds >= warmup;
                var (start, body) = requests[random.Next(requests.Length)];
                watch.Restart();
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(binary ? "application/octet-stream" : "application/json");
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/score") { Content = content };
                    if (binary)
                        request.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("application/octet-stream"));
                    using var response = await http.SendAsync(request);
                    byte[] answer = await response.Content.ReadAsByteArrayAsync();
                    if (timed)
                    {
                        latencies[client].Add(watch.Elapsed.TotalMilliseconds);
                        Interlocked.Increment(ref done);
                    }
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failed);
                        continue;
                    }
                    // The constant service's answers are read too, so that the load generator does the same work in every phase.
                    var scores = binary ? BinaryScores(answer, rows) : JsonScores(answer);
                    if (scoresA is null ? scores.Length != rows : !Matches(scores, start, rows, scoresA, scoresB!))
                        Interlocked.Increment(ref wrong);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
                catch (TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
                catch (JsonException)
                {
                    Interlocked.Increment(ref wrong); // a 200 whose body is not the JSON answer
                }
            }
        })).ToList();
        if (swap is not null)
        {
            Thread.Sleep(warmup * 1000 + seconds * 500);
            swap();
            swapped = true;
        }
        Task.WaitAll([.. tasks]);
        double elapsed = clock.Elapsed.TotalSeconds - warmup;
        var all = latencies.SelectMany(l => l).ToList();
        var phase = new Phase(detector, what + (swapped ? " (model replaced)" : ""), done / elapsed, done * (double)rows / elapsed,
            Measure.Percentile(all, 0.5), Measure.Percentile(all, 0.99), failed, wrong, done);
        log(string.Create(CultureInfo.InvariantCulture, $"{detector}: {what}: {phase.RequestsPerSecond:N0} requests/s, failed {failed}, wrong {wrong}"));
        return phase;
    }

    /// <summary>The scores in a JSON response.</summary>
    private static float[] JsonScores(byte[] answer)
    {
        using var json = JsonDocument.Parse(answer);
        return [.. json.RootElement.GetProperty("results").EnumerateArray().Select(result => result.GetProperty("score").GetSingle())];
    }

    /// <summary>The scores in a binary response (its first block: one little-endian float32 per row), or none when it is not 9 bytes per row.</summary>
    private static float[] BinaryScores(byte[] answer, int rows) => answer.Length != 9 * rows
        ? []
        : [.. Enumerable.Range(0, rows).Select(r => System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(answer.AsSpan(4 * r)))];

    /// <summary>Whether the response has one score per row, every one its row's score under model A or every one under model B (to 1e-5 of max(1, |score|)).</summary>
    private static bool Matches(float[] scores, int start, int rows, float[] scoresA, float[] scoresB)
    {
        if (scores.Length != rows)
            return false;
        bool allA = true, allB = true;
        for (int r = 0; r < rows; r++)
        {
            allA &= Math.Abs(scores[r] - scoresA[start + r]) <= 1e-5 * Math.Max(1, Math.Abs(scoresA[start + r]));
            allB &= Math.Abs(scores[r] - scoresB[start + r]) <= 1e-5 * Math.Max(1, Math.Abs(scoresB[start + r]));
        }
        return allA || allB;
    }
}
