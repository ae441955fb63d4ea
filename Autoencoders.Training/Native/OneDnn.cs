using System.Runtime.InteropServices;

namespace Autoencoders.Training.Native;

/// <summary>
/// Turns libtorch's oneDNN (MKL-DNN) CPU kernels on or off, process-wide, before a convolutional autoencoder trains.
/// </summary>
/// <remarks>
/// <para>
/// With libtorch 2.10 (TorchSharp 0.107), oneDNN's convolution gradients are wrong whenever the output channels do not
/// fill whole channel blocks (16 with AVX-512, 8 with AVX2): checked against float64 on this project's 2-core AMD EPYC,
/// 32→1, 32→4, 32→8, 4→8, 1→4 convolutions gave relative errors near 1 or non-finite values in most calls, with 1 or
/// 2 threads, while 16→16, 32→64, 64→32 and 1→32 agreed to 6e-6. PyTorch 1.13 on the same machine gave no non-finite
/// gradient in the same test. The padded channels of the blocked layout seem to be left uninitialized.
/// </para>
/// <para>
/// So oneDNN stays on (it trains about 2.5× faster than libtorch's own kernels) only for networks whose every hidden
/// convolution has a multiple of 16 output channels (the network's channel block); the last
/// convolution is widened to a full block by the network itself. Otherwise it is switched off. TorchSharp does not
/// expose the switch, so this calls <c>at::globalContext().setUserEnabledMkldnn</c> in <c>libtorch_cpu</c> directly
/// (Itanium C++ names: Linux and macOS). Dense models do not use oneDNN for float32.
/// </para>
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

    /// <summary>
    /// Sets oneDNN for training a convolutional network: on when <paramref name="fits"/> (its convolutions fill whole
    /// blocks of <paramref name="channelBlock"/> channels), otherwise off, with a note in <paramref name="log"/>.
    /// </summary>
    public static void Configure(bool fits, int channelBlock, Action<string>? log)
    {
        bool switched = TrySet(fits);
        if (!fits && !switched)
            log?.Invoke("Could not switch off libtorch's oneDNN kernels, whose convolution gradients are wrong in libtorch 2.10 when a convolution's " +
                        $"output channels are not a multiple of {channelBlock}: use such channel counts.");
        else if (!fits)
            log?.Invoke($"Convolution channel counts that are not multiples of {channelBlock} train on libtorch's own kernels " +
                        "(about 2.5× slower than oneDNN, whose gradients are wrong for them in libtorch 2.10).");
    }

    /// <summary>Whether oneDNN is enabled now; null where it cannot be read.</summary>
    public static bool? Enabled => TryGetContext(out var library, out var context) && NativeLibrary.TryGetExport(library, UserEnabledMkldnn, out var getter)
        ? Marshal.GetDelegateForFunctionPointer<FlagGetter>(getter)(context)
        : null;

    /// <summary>Turns oneDNN on or off; returns false (changing nothing) where libtorch's entry points cannot be found, e.g. on Windows.</summary>
    public static bool TrySet(bool enabled)
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
