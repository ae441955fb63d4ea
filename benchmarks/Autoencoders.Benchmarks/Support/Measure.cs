using System.Diagnostics;

namespace Autoencoders.Benchmarks.Support;

/// <summary>Small timing helpers: best-of-N wall time, percentiles, memory.</summary>
internal static class Measure
{
    /// <summary>Runs <paramref name="action"/> once to warm up, then <paramref name="repeats"/> times; returns the median seconds.</summary>
    public static double MedianSeconds(Action action, int repeats = 3)
    {
        action();
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalSeconds);
        }
        return Percentile(times, 0.5);
    }

    public static double Percentile(IReadOnlyList<double> values, double quantile)
    {
        var sorted = values.Order().ToArray();
        double position = quantile * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    /// <summary>Working set after a full garbage collection, in MiB.</summary>
    public static double WorkingSetMiB()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / 1048576.0;
    }

    /// <summary>Peak working set of the process so far, in MiB.</summary>
    public static double PeakWorkingSetMiB()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / 1048576.0;
    }
}
