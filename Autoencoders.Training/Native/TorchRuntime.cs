using TorchSharp;

namespace Autoencoders.Training.Native;

/// <summary>
/// The process-wide native state a training needs, set up before it starts: TorchSharp's native library (with the
/// libstdc++ fix of <see cref="TorchNativeLibrary"/>), glibc's heap thresholds (<see cref="GlibcHeap"/>) and the CPU
/// thread count. Kept apart from the trainer, which only trains.
/// </summary>
internal static class TorchRuntime
{
    /// <summary>The message for an application that does not ship libtorch.</summary>
    public const string MissingNativeMessage =
        "Training needs TorchSharp's native libraries (libtorch), which this application does not include. Add the package " +
        "TorchSharp-cpu (CPU), or TorchSharp-cuda-linux / TorchSharp-cuda-windows (NVIDIA GPU), to the application's project: " +
        "dotnet add package TorchSharp-cpu --version 0.107.0. Scoring saved models does not need them.";

    /// <summary>Loads libtorch (once per process), primes the heap (once), and sets <paramref name="threads"/> when given.</summary>
    /// <exception cref="InvalidOperationException">libtorch is not part of the application.</exception>
    public static void Prepare(int? threads)
    {
        EnsureAvailable();
        GlibcHeap.PrimeOnce();
        if (threads is int count)
            torch.set_num_threads(count);
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
