using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Autoencoders.Benchmarks.Support;

namespace Autoencoders.Benchmarks.Contention;

/// <summary>
/// <c>contention</c>: how Fit holds up on a busy machine. For each model of <see cref="ContentionFit.Models"/> (a small
/// tabular detector, throughput's dense model, a convolutional image detector), Fit's time alone, beside one CPU-bound
/// busy loop (a shell loop: one core taken), and beside a second training process (the same model fitted again and
/// again), in one run. Every Fit runs in a process of its own (<c>contention-fit</c>), which first fits once untimed
/// (loading libtorch, compiling the managed code) and then once timed. Ends with
/// <c>worst slowdown beside a busy loop: X; beside a second fit: Y</c>. Options: <c>--models small,throughput,conv</c>,
/// <c>--threads N</c> (<c>NumberOfThreads</c> for every fit; default the library's choice), <c>--spin-count N</c>
/// (<c>GOMP_SPINCOUNT</c> for every process; default the library's), <c>--legacy on</c> (also the settings before this
/// choice — all cores, libgomp's own spin count of 300,000 — as a second table), <c>--cap N</c> (seconds after which
/// a fit is stopped and reported as longer, default 300), <c>--alone-only on</c> (only the first column: for choosing
/// the thread rule, e.g. <c>--models table-100,table-400 --threads 1 --alone-only on</c>).
/// </summary>
internal static class ContentionCommand
{
    private sealed record Settings(string Name, string? Threads, string? SpinCount);

    private sealed record Row(string Model, int Threads, string OpenMp, double Alone, double? BusyLoop, double? SecondFit);

    public static int Run(Arguments arguments)
    {
        var models = arguments.String("models", string.Join(',', ContentionFit.Models.Select(m => m.Name))).Split(',');
        int cap = arguments.Int("cap", 300);
        bool aloneOnly = arguments.OnOff("alone-only", false);
        string? threads = arguments.String("threads", "") is { Length: > 0 } t ? t : null;
        string? spin = arguments.String("spin-count", "") is { Length: > 0 } s ? s : null;
        var settings = new List<Settings> { new("this library's defaults" + ((threads ?? spin) is not null ? $" (threads {threads ?? "default"}, GOMP_SPINCOUNT {spin ?? "default"})" : ""), threads, spin) };
        if (arguments.OnOff("legacy", false))
            settings.Add(new("before (all cores, libgomp's spin count 300000)", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "300000"));
        void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

        var tables = new List<(Settings Settings, List<Row> Rows)>();
        foreach (var setting in settings)
        {
            var rows = new List<Row>();
            foreach (string model in models)
            {
                Log(FormattableString.Invariant($"{setting.Name}: {model} alone"));
                var alone = Fit(model, setting, cap, Log) ?? throw new InvalidOperationException($"{model} did not finish alone within {cap} s.");
                Log(FormattableString.Invariant($"{setting.Name}: {model} alone {alone.Seconds:F2} s ({alone.Threads} threads, {alone.OpenMp})"));
                if (aloneOnly)
                {
                    rows.Add(new Row(model, alone.Threads, alone.OpenMp, alone.Seconds, null, null));
                    continue;
                }
                double? busy;
                using (Background(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"])))
                    busy = Fit(model, setting, cap, Log)?.Seconds;
                Log(FormattableString.Invariant($"{setting.Name}: {model} beside a busy loop {Seconds(busy, cap)}; beside a second fit"));
                double? second;
                using (Background(Child(model, setting, repeat: true)))
                {
                    Thread.Sleep(3000); // the second process has loaded libtorch and is training
                    second = Fit(model, setting, cap, Log)?.Seconds;
                }
                Log(FormattableString.Invariant($"{setting.Name}: {model} beside a second fit {Seconds(second, cap)}"));
                rows.Add(new Row(model, alone.Threads, alone.OpenMp, alone.Seconds, busy, second));
            }
            tables.Add((setting, rows));
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(Machine.Describe() + $", {Environment.OSVersion}");
        Console.WriteLine("Fit's wall-clock time (the second fit in a fresh process); each model:");
        foreach (string model in models)
            Console.WriteLine($"  {model}: {ContentionFit.Models.FirstOrDefault(m => m.Name == model).What ?? $"anomaly detector, defaults, 6,435 × {model["table-".Length..]} rows"}");
        foreach (var (setting, rows) in tables)
        {
            Console.WriteLine();
            Console.WriteLine($"Settings: {setting.Name}; OpenMP: {rows[0].OpenMp}");
            Console.WriteLine();
            Console.WriteLine("| Model | Threads | Fit alone (s) | beside a busy loop (s) | ÷ alone | beside a second fit (s) | ÷ alone |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var r in rows)
                Console.WriteLine(aloneOnly
                    ? string.Create(c, $"| {r.Model} | {r.Threads} | {r.Alone:F2} | – | – | – | – |")
                    : string.Create(c, $"| {r.Model} | {r.Threads} | {r.Alone:F2} | {Seconds(r.BusyLoop, cap)} | {Ratio(r.BusyLoop, r.Alone, cap)} | {Seconds(r.SecondFit, cap)} | {Ratio(r.SecondFit, r.Alone, cap)} |"));
        }
        var current = tables[0].Rows;
        Console.WriteLine();
        if (!aloneOnly)
            Console.WriteLine($"worst slowdown beside a busy loop: {Worst(current.Select(r => (r.BusyLoop, r.Alone)), cap)}; beside a second fit: {Worst(current.Select(r => (r.SecondFit, r.Alone)), cap)}");
        return 0;
    }

    private static string Seconds(double? seconds, int cap) => seconds is double s ? s.ToString("F2", CultureInfo.InvariantCulture) : $"> {cap}";

    private static string Ratio(double? seconds, double alone, int cap) =>
        seconds is double s ? (s / alone).ToString("F1", CultureInfo.InvariantCulture) + "×" : $"> {(cap / alone).ToString("F0", CultureInfo.InvariantCulture)}×";

    private static string Worst(IEnumerable<(double? Seconds, double Alone)> rows, int cap)
    {
        var list = rows.ToList();
        return list.Any(r => r.Seconds is null)
            ? $"> {(cap / list.Where(r => r.Seconds is null).Min(r => r.Alone)).ToString("F1", CultureInfo.InvariantCulture)}×"
            : list.Max(r => r.Seconds!.Value / r.Alone).ToString("F1", CultureInfo.InvariantCulture) + "×";
    }

    /// <summary>The timed fit of <paramref name="model"/> in a new process, or null when it ran past <paramref name="cap"/> seconds.</summary>
    private static (double Seconds, int Threads, string OpenMp)? Fit(string model, Settings settings, int cap, Action<string> log)
    {
        using var process = Process.Start(Child(model, settings, repeat: false))!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        // Twice the cap: the untimed first fit runs under the same conditions.
        if (!process.WaitForExit(TimeSpan.FromSeconds(2 * cap)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return null;
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"contention-fit {model} failed: {error.Result.Trim()}");
        var lines = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var json = JsonDocument.Parse(lines[^1]);
        var root = json.RootElement;
        double seconds = root.GetProperty("seconds").GetDouble();
        if (seconds > cap)
            return null;
        return (seconds, root.GetProperty("threads").GetInt32(), root.GetProperty("openmp").GetString()!);
    }

    /// <summary>This program again, as <c>contention-fit</c>: an untimed fit, then one timed (or fits until killed).</summary>
    private static ProcessStartInfo Child(string model, Settings settings, bool repeat)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(typeof(ContentionCommand).Assembly.Location); // run through the dotnet host
        foreach (string argument in new[] { "contention-fit", "--model", model, "--fits", repeat ? "0" : "2" })
            start.ArgumentList.Add(argument);
        if (settings.Threads is string threads)
        {
            start.ArgumentList.Add("--threads");
            start.ArgumentList.Add(threads);
        }
        if (settings.SpinCount is string spin)
            start.Environment["GOMP_SPINCOUNT"] = spin;
        return start;
    }

    /// <summary>A background process killed (with its children) when disposed.</summary>
    private static IDisposable Background(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Killer(process);
    }

    private sealed class Killer(Process process) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
        }
    }
}
