using TorchSharp;

namespace Autoencoders.Training.Native;

/// <summary>
/// The process-wide native state a training needs, set up before it starts: TorchSharp's native library (with the
/// libstdc++ fix of <see cref="TorchNativeLibrary"/> and the OpenMP spin count of <see cref="OpenMpWaitPolicy"/>), glibc's
/// heap thresholds (<see cref="GlibcHeap"/>) and the CPU thread count by network size (<see cref="SetThreads"/>). Kept
/// apart from the trainer, which only trains.
/// </summary>
internal static class TorchRuntime
{
    /// <summary>The message for an application that does not ship libtorch.</summary>
    public const string MissingNativeMessage =
        "Training needs TorchSharp's native libraries (libtorch), which this application does not include. Add the package " +
        "TorchSharp-cpu (CPU), or TorchSharp-cuda-linux / TorchSharp-cuda-windows (NVIDIA GPU), to the application's project: " +
        "dotnet add package TorchSharp-cpu --version 0.107.0. Scoring saved models does not need them.";

    /// <summary>
    /// Multiply-adds of one minibatch's forward pass below which a fit trains on one thread (when
    /// <c>NumberOfThreads</c> is not set). Such a step takes little time: a second thread saves little and costs every
    /// parallel region a wait for it, and on a busy machine that wait is a scheduler time slice. Measured with the
    /// benchmark program's <c>contention --models table-N --alone-only on</c> (the detector's defaults on 6,435 rows of N
    /// features, batch 32) on the 2-core development machine, two runs each, one thread against two, alone: 36 features
    /// (0.2 million multiply-adds a step) 3.4 / 3.3 s against 9.1 / 5.5 s; 200 (4.1 million) 8.5 / 9.9 against
    /// 10.0 / 13.4; 400 (7.6 million) 6.7 / 8.8 against 6.8 / 8.2; 784 (14 million) 10.1 / 11.8 against 9.2 / 10.3.
    /// Larger networks keep libtorch's default (one thread per core).
    /// </summary>
    public const long OneThreadWork = 10_000_000;

    private static int? _libtorchDefaultThreads;

    /// <summary>Loads libtorch (once per process) and primes the heap (once).</summary>
    /// <exception cref="InvalidOperationException">libtorch is not part of the application.</exception>
    public static void Prepare()
    {
        EnsureAvailable();
        GlibcHeap.PrimeOnce();
        _libtorchDefaultThreads ??= torch.get_num_threads();
    }

    /// <summary>
    /// Sets libtorch's intra-op threads (process-wide) for a fit: <paramref name="requested"/> when given, else one thread
    /// for a network whose minibatch forward pass is under <see cref="OneThreadWork"/> multiply-adds, else libtorch's own
    /// default (read once, when libtorch is first prepared). Deterministic for a network, batch size and machine, so a seed
    /// keeps giving the same model. Returns the count.
    /// </summary>
    public static int SetThreads(int? requested, long multiplyAddsPerBatch)
    {
        Prepare();
        int threads = requested ?? (multiplyAddsPerBatch < OneThreadWork ? 1 : _libtorchDefaultThreads.Value);
        if (torch.get_num_threads() != threads)
            torch.set_num_threads(threads);
        return threads;
    }

    /// <summary>Loads TorchSharp's native library, turning TorchSharp's own "missing libtorch" errors into one that names the package to add.</summary>
    /// <exception cref="InvalidOperationException">libtorch is not part of the application.</exception>
    public static void EnsureAvailable()
    {
        // TorchSharp's managed package ships its bridge library (libLibTorchSharp) but not libtorch: without a libtorch
        // package the bridge is found and fails to load, with a message about libstdc++ or TorchSharp's own.
        if (OperatingSystem.IsLinux() && TorchNativeLibrary.Locate() is string bridge && !TorchNativeLibrary.LibtorchBeside(bridge))
            throw new InvalidOperationException(MissingNativeMessage);
        try
        {
            TorchNativeLibrary.EnsureLoaded();
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException(MissingNativeMessage, e);
        }
    }
}
