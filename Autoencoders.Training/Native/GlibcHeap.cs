using System.Runtime.InteropServices;

namespace Autoencoders.Training.Native;

/// <summary>
/// Lets glibc's allocator keep libtorch's per-minibatch tensors in its heap instead of returning them to the kernel
/// and page-faulting them back in every step.
/// </summary>
/// <remarks>
/// <para>
/// libtorch allocates every activation, gradient and noise tensor of a training step with <c>malloc</c> and frees them
/// when the step's dispose scope ends. glibc serves blocks above its mmap threshold (128 KiB at first) by <c>mmap</c>,
/// and gives free memory above its trim threshold back to the kernel; each step then faults its pages in again (the
/// kernel zeroes every page). glibc raises both thresholds by itself, to the size of the largest mmapped block freed so
/// far (up to 32 MiB) and twice that, but in a .NET process nothing may free such a block for seconds: on this
/// project's 2-core machine the first three short trainings in a process ran about 20% slower than the later ones, with
/// twice the page faults per step (~470 against ~220; a PyTorch process: ~180).
/// </para>
/// <para>
/// <see cref="PrimeOnce"/> takes glibc's own adaptive path once per process: it allocates and frees one block just under
/// glibc's 32 MiB ceiling, so the mmap threshold becomes ~32 MiB and the trim threshold ~64 MiB, as they would after any
/// such block. No option is set with <c>mallopt</c>, so glibc's adaptation stays on. Elsewhere (Windows, macOS, musl)
/// it does nothing.
/// </para>
/// </remarks>
internal static class GlibcHeap
{
    /// <summary>Just under glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit (32 MiB), which caps the adaptive thresholds.</summary>
    private const int PrimingBytes = (32 << 20) - (64 << 10);

    private static readonly Lazy<bool> Primed = new(Prime, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Primes glibc's thresholds the first time it is called in a process; true where glibc was found and primed.</summary>
    public static bool PrimeOnce() => Primed.Value;

    private static bool Prime()
    {
        if (!OperatingSystem.IsLinux() || !IsGlibc())
            return false;
        IntPtr block = malloc(PrimingBytes);
        if (block == IntPtr.Zero)
            return false;
        free(block);
        return true;
    }

    private static bool IsGlibc()
    {
        try
        {
            return gnu_get_libc_version() != IntPtr.Zero;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // musl and other C libraries have no gnu_get_libc_version
        }
    }

    [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
    private static extern IntPtr gnu_get_libc_version();

    [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
    private static extern IntPtr malloc(nuint size);

    [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
    private static extern void free(IntPtr block);
}
