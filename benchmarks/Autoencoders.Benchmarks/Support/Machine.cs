namespace Autoencoders.Benchmarks.Support;

/// <summary>The line every benchmark table is printed with: timings compare only within one machine.</summary>
internal static class Machine
{
    /// <summary>For example <c>Machine: 2 cores, AMD EPYC 7B13, .NET 10.0.12</c>.</summary>
    public static string Describe() => $"Machine: {Environment.ProcessorCount} cores, {CpuModel()}, .NET {Environment.Version}";

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU" : "unknown CPU";
}
