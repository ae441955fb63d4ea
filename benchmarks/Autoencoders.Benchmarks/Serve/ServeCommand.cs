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
/// <c>--clients</c> concurrent HttpClient loops, with three loads — one-row requests (the model file replaced once, half
/// way, by renaming another model over it), <c>--batch-rows</c>-row requests in JSON, and the same rows as little-endian
/// float32 bodies with binary answers — each beside the same API answering constant results (a second service process
/// with <c>Model:ConstantScores</c>: this machine's HTTP ceiling) and, for batches, in-process batched scoring of the same
/// rows. Per load, each service gets <c>--warmup</c> seconds (checked, not timed: the services start cold and compile as
/// they go), then the scored service, the constant one and in-process scoring take turns of about <c>--slice</c> seconds
/// until each has had <c>--seconds</c>, so that all three see the same machine (a shared host's speed drifts by more over
/// minutes than the ratios measured). Every returned score is checked against the in-process score of its row under one
/// of the two models (all of a response under the same one); the constant answers are read and counted alike, so the
/// load generator does the same work for both services. Failed requests and wrong answers are counted; the service's
/// working set is sampled every second while each load runs (the middle third of the load against its last third).
/// Options: <c>--seconds N</c> (default 90), <c>--slice N</c> (default 10), <c>--warmup N</c> (default 5), <c>--clients N</c>
/// (default 8), <c>--batch-rows N</c> (default 1000), <c>--features N</c> (default 36), <c>--train-rows N</c> (default
/// 20000), <c>--port N</c> (default 5080; the constant service uses the next one).
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
        int slice = arguments.Int("slice", 10);
        void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

        string service = BuildService(Log);
        string folder = Directory.CreateTempSubdirectory("autoencoders-serve").FullName;
        var phases = new List<Phase>();
        var memory = new List<(string Detector, string Load, double MiddleMiB, double LastMiB, int WindowSeconds)>();
        var inProcess = new List<(string Detector, string Load, double RowsPerSecond)>();
        int slices = Math.Max(1, (int)Math.Ceiling(seconds / (double)slice));
        try
        {
            var pool = SyntheticRows.Create(10_000, features, seed: 21, rank: Math.Max(2, features / 4));
            foreach (var (name, kind) in new[] { ("default", AutoencoderDefaults.DetectorScoreKind), ("ReconstructionError", ScoreKind.ReconstructionError) })
            {
                Log($"{name}: training two models on {trainRows} × {features}");
                string a = Train(Path.Combine(folder, $"{name}-a.zip"), kind, trainRows, features, seed: 1);
                string b = Train(Path.Combine(folder, $"{name}-b.zip"), kind, trainRows, features, seed: 2);
                var scoresA = InProcess(a, pool);
                var scoresB = InProcess(b, pool);
                string served = Path.Combine(folder, $"{name}-served.zip");
                File.Copy(a, served, overwrite: true);
                var context = new MLContext();
                var localModel = context.Model.LoadWithAutoencoders(a, out _);
                var view = DataViews.FromMatrix(context, pool);
                ScoresAndLabels(localModel.Transform(view)); // warm: the in-process slices time a warm model, as the services are

                using var scoring = StartService(service, served, port, constant: false, Log);
                using var constant = StartService(service, served, port + 1, constant: true, Log);
                var swap = () =>
                {
                    string staging = served + ".new";
                    File.Copy(b, staging, overwrite: true);
                    File.Move(staging, served, overwrite: true);
                    Log($"{name}: replaced the model file (renamed over the path)");
                };
                foreach (var (rowsPerRequest, binary, what, onSwap) in new (int, bool, string, Action?)[]
                {
                    (1, false, "one-row requests", swap), (batchRows, false, $"{batchRows}-row requests", null), (batchRows, true, $"{batchRows}-row requests, float32 bodies", null),
                })
                {
                    // The scored service, the constant one and (for batches) in-process scoring take turns in slices of
                    // `slice` seconds, so that all three see the same machine: on a shared host its speed drifts by more
                    // over minutes than the differences measured here.
                    Log(string.Create(CultureInfo.InvariantCulture, $"{name}: {what}, {clients} clients, {warmup} s of warm-up per service, then {slices} turns of {seconds / (double)slices:F0} s each{(rowsPerRequest > 1 ? " (scored, constant, in process)" : " (scored, constant)")}"));
                    var bodies = Bodies(pool, rowsPerRequest, binary);
                    var scored = new Tally();
                    var ceiling = new Tally();
                    var local = rowsPerRequest > 1 ? new Tally() : null;
                    using var scoringClient = Client($"http://127.0.0.1:{port}", clients);
                    using var constantClient = Client($"http://127.0.0.1:{port + 1}", clients);
                    // The working set is sampled every second while each of the loads runs (their memory needs differ):
                    // the middle third of the load against its last third.
                    var sampler = Sample(scoring.Process);
                    Drive(scoringClient, bodies, rowsPerRequest, binary, clients, warmup, timed: false, scoresA, scoresB, null, scored);
                    Drive(constantClient, bodies, rowsPerRequest, binary, clients, warmup, timed: false, null, null, null, ceiling);
                    for (int turn = 0; turn < slices; turn++)
                    {
                        double length = seconds * (turn + 1.0) / slices - seconds * (double)turn / slices;
                        Drive(scoringClient, bodies, rowsPerRequest, binary, clients, length, timed: true, scoresA, scoresB, turn == slices / 2 ? onSwap : null, scored);
                        Drive(constantClient, bodies, rowsPerRequest, binary, clients, length, timed: true, null, null, null, ceiling);
                        if (local is not null)
                            InProcessTurn(localModel, view, pool.Rows, length, local);
                    }
                    var samples = sampler.Stop();
                    int third = Math.Max(1, samples.Count / 3);
                    memory.Add((name, what, samples.Skip(third).Take(third).Average(), samples.TakeLast(third).Average(), third));
                    phases.Add(scored.ToPhase(name, what + (onSwap is null ? "" : " (model replaced)"), rowsPerRequest));
                    phases.Add(ceiling.ToPhase(name, what + ", constant answer", rowsPerRequest));
                    if (local is not null)
                        inProcess.Add((name, what, local.Rows / local.Seconds));
                    Log(string.Create(CultureInfo.InvariantCulture, $"{name}: {what}: {scored.Requests / scored.Seconds:N0} requests/s scored, {ceiling.Requests / ceiling.Seconds:N0} constant{(local is null ? "" : $", {local.Rows / local.Seconds:N0} rows/s in process")}; failed {scored.Failed + ceiling.Failed}, wrong {scored.Wrong + ceiling.Wrong}"));
                }
                (localModel as IDisposable)?.Dispose();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(Machine.Describe());
        Console.WriteLine(string.Create(c, $"Scoring service (examples/ScoringService, its own process, Kestrel on loopback) driven by {clients} concurrent HttpClient loops; per load, {warmup} s of warm-up per service, then {seconds} s timed per service in {slices} turns taken with the constant service and, for batches, in-process scoring; rows of {features} features drawn from 10,000 synthetic rows; models trained on {trainRows} rows; the model file replaced once during the one-row load."));
        Console.WriteLine();
        Console.WriteLine("| Score | Requests | Requests/s | Rows/s | p50 (ms) | p99 (ms) | Failed | Wrong answers |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var p in phases)
        {
            Console.WriteLine(string.Create(c, $"| {p.Detector} | {p.What} | {p.RequestsPerSecond:N0} | {p.RowsPerSecond:N0} | {p.P50Ms:F2} | {p.P99Ms:F2} | {p.Failed} | {p.Wrong} |"));
            if (p.What.EndsWith(", constant answer", StringComparison.Ordinal)
                && inProcess.FirstOrDefault(i => i.Detector == p.Detector && p.What == i.Load + ", constant answer") is { Load: not null } local)
                Console.WriteLine(string.Create(c, $"| {p.Detector} | in-process batched scoring (no HTTP), in turns with the above | | {local.RowsPerSecond:N0} | | | | |"));
        }
        Console.WriteLine();
        foreach (var (detector, load, middle, last, window) in memory)
            Console.WriteLine(string.Create(c, $"{detector}, {load}: service working set {middle:F0} MiB in the middle {window} s of the load, {last:F0} MiB in the last {window} s ({100 * (last - middle) / middle:+0.0;-0.0}%)."));
        double oneRow = phases.Where(p => p.What.StartsWith("one-row requests (", StringComparison.Ordinal))
            .Min(p => p.RequestsPerSecond / phases.First(q => q.Detector == p.Detector && q.What == "one-row requests, constant answer").RequestsPerSecond);
        double BatchRatio(string load) => inProcess.Where(i => i.Load == load)
            .Min(i => phases.First(p => p.Detector == i.Detector && p.What == load).RowsPerSecond / i.RowsPerSecond);
        double batch = BatchRatio($"{batchRows}-row requests, float32 bodies");
        double batchJson = BatchRatio($"{batchRows}-row requests");
        Console.WriteLine();
        double growth = memory.Max(m => (m.LastMiB - m.MiddleMiB) / m.MiddleMiB);
        Console.WriteLine(string.Create(c, $"largest working-set change within a load: {100 * growth:+0.0;-0.0}%"));
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

    /// <summary>The pool's scores under the saved model, in process (the batched transformer): what every answer is checked against.</summary>
    private static float[] InProcess(string path, Training.Data.FeatureMatrix pool)
    {
        var context = new MLContext();
        var model = context.Model.LoadWithAutoencoders(path, out _);
        var scores = model.Transform(DataViews.FromMatrix(context, pool)).GetColumn<float>("Score").ToArray();
        (model as IDisposable)?.Dispose();
        return scores;
    }

    /// <summary>
    /// One turn of in-process batched scoring: the pool scored again and again through the transformer for
    /// <paramref name="seconds"/>, reading what the service reads from the graph (the score and the label).
    /// </summary>
    private static void InProcessTurn(ITransformer model, IDataView pool, int poolRows, double seconds, Tally tally)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            ScoresAndLabels(model.Transform(pool));
            tally.Rows += poolRows;
        }
        while (clock.Elapsed.TotalSeconds < seconds);
        tally.Seconds += clock.Elapsed.TotalSeconds;
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

    /// <summary>What the turns of one load add up to, for one service (or in process: rows and seconds).</summary>
    private sealed class Tally
    {
        public List<double> Latencies { get; } = [];
        public int Requests;
        public int Failed;
        public int Wrong;
        public long Rows;
        public double Seconds;

        public Phase ToPhase(string detector, string what, int rowsPerRequest) => new(detector, what, Requests / Seconds,
            Requests * (double)rowsPerRequest / Seconds, Measure.Percentile(Latencies, 0.5), Measure.Percentile(Latencies, 0.99), Failed, Wrong, Requests);
    }

    /// <summary>Request bodies made before timing: one per start row, each a window of <paramref name="rows"/> consecutive pool rows (so consecutive rows differ).</summary>
    private static (int Start, byte[] Body)[] Bodies(Training.Data.FeatureMatrix pool, int rows, bool binary)
    {
        int features = pool.Columns;
        int bodies = Math.Min(pool.Rows, rows == 1 ? pool.Rows : 64);
        return Enumerable.Range(0, bodies).Select(i =>
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
                return (start, bytes);
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
            return (start, Encoding.UTF8.GetBytes(sb.Append("]}").ToString()));
        }).ToArray();
    }

    /// <summary>A client of the service at <paramref name="url"/> with up to <paramref name="clients"/> connections, kept for all the turns of a load.</summary>
    private static HttpClient Client(string url, int clients) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(30) }, disposeHandler: true)
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>
    /// <paramref name="clients"/> loops posting the <paramref name="requests"/> (at random) for <paramref name="seconds"/>;
    /// when <paramref name="timed"/>, their latencies, count and duration go into <paramref name="tally"/> (failures and
    /// wrong answers always do). With expected scores, each response is checked against one model's (A, or B once
    /// <paramref name="swap"/> ran, half way through).
    /// </summary>
    private static void Drive(HttpClient http, (int Start, byte[] Body)[] requests, int rows, bool binary, int clients, double seconds, bool timed,
        float[]? scoresA, float[]? scoresB, Action? swap, Tally tally)
    {
        var latencies = new List<double>[clients];
        int failed = 0, wrong = 0, done = 0;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            latencies[client] = [];
            var random = new Random(client + 7919 * tally.Requests);
            var watch = new Stopwatch();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
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
                    latencies[client].Add(watch.Elapsed.TotalMilliseconds);
                    Interlocked.Increment(ref done);
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
            Thread.Sleep(TimeSpan.FromSeconds(seconds / 2));
            swap();
        }
        Task.WaitAll([.. tasks]);
        tally.Failed += failed;
        tally.Wrong += wrong;
        if (timed)
        {
            tally.Seconds += clock.Elapsed.TotalSeconds;
            tally.Requests += done;
            tally.Latencies.AddRange(latencies.SelectMany(l => l));
        }
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
