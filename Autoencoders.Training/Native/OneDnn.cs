using System.Runtime.InteropServices;

namespace Autoencoders.Training.Native;

/// <summary>
/// Switches off libtorch's oneDNN (MKL-DNN) CPU kernels, process-wide, before a convolutional autoencoder trains.
/// </summary>
/// <remarks>
/// With libtorch 2.10 (TorchSharp 0.107) on a 2-core AMD EPYC, the oneDNN backward pass of a convolution returned
/// non-finite input gradients in 40% of calls (2 threads, input and weight gradients together; never with 1 thread,
/// never in PyTorch 1.13 on the same machine), which made training diverge at random minibatches. libtorch's own
/// convolution kernels have no such fault. TorchSharp does not expose the switch, so this calls
/// <c>at::globalContext().setUserEnabledMkldnn(false)</c> in <c>libtorch_cpu</c> directly (Itanium C++ names: Linux
/// and macOS). Dense models do not use oneDNN for float32 and are unaffected.
/// </remarks>
internal static class OneDnn
{
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetUserEnabledMkldnn = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string UserEnabledMkldnn = "_ZNK2at7Context17userEnabledMkldnnEv";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr ContextGetter();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void FlagSetter(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool FlagGetter(IntPtr context);

    /// <summary>Turns oneDNN off; returns false (changing nothing) where libtorch's entry points cannot be found, e.g. on Windows.</summary>
    public static bool TryDisable() => TrySet(false);

    /// <summary>Whether oneDNN is enabled now; null where it cannot be read.</summary>
    public static bool? Enabled => TryGetContext(out var library, out var context) && NativeLibrary.TryGetExport(library, UserEnabledMkldnn, out var getter)
        ? Marshal.GetDelegateForFunctionPointer<FlagGetter>(getter)(context)
        : null;

    /// <summary>Sets oneDNN on or off (tests turn it back on to show the fault).</summary>
    internal static bool TrySet(bool enabled)
    {
        if (!TryGetContext(out var library, out var context) || !NativeLibrary.TryGetExport(library, SetUserEnabledMkldnn, out var setter))
            return false;
        Marshal.GetDelegateForFunctionPointer<FlagSetter>(setter)(context, enabled);
        return true;
    }

    private static bool TryGetContext(out IntPtr library, out IntPtr context)
    {
        context = IntPtr.Zero;
        TorchNativeLibrary.EnsureLoaded();
        if (!TryLoadTorchCpu(out library) || !NativeLibrary.TryGetExport(library, GlobalContext, out var getter))
            return false;
        context = Marshal.GetDelegateForFunctionPointer<ContextGetter>(getter)();
        return context != IntPtr.Zero;
    }

    // libtorch_cpu is already loaded as a dependency of TorchSharp's native library: loading it by name returns that copy.
    private static bool TryLoadTorchCpu(out IntPtr library)
    {
        string name = OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        if (NativeLibrary.TryLoad(name, out library))
            return true;
        string? directory = Path.GetDirectoryName(TorchNativeLibrary.Locate());
        return directory is not null && NativeLibrary.TryLoad(Path.Combine(directory, name), out library);
    }
}
