using System.Runtime.InteropServices;

namespace Autoencoders.Training.Native;

/// <summary>
/// How long libtorch's OpenMP threads spin before they sleep, set once per process before libtorch loads (Linux).
/// </summary>
/// <remarks>
/// <para>
/// libtorch's CPU build runs its parallel regions on GNU OpenMP (its own <c>libgomp</c>), whose idle threads spin for
/// 300,000 iterations (about a millisecond) at every barrier before they sleep. Alone on a machine that costs nothing;
/// beside other work it is ruinous: a spinning thread takes the core the thread it waits for needs, and a small network,
/// whose steps are many and short, waits a scheduler time slice at every region. On the 2-core development machine a
/// fit beside a second training process ran 30–90× slower than alone.
/// </para>
/// <para>
/// libgomp reads its settings from the environment once, when it loads, and .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the native environment on Unix. So
/// <see cref="ApplyBeforeLoad"/> sets <c>GOMP_SPINCOUNT</c> with the C library's <c>setenv</c>, before TorchSharp's
/// native library (and with it libgomp) is loaded, unless the process already has <c>OMP_WAIT_POLICY</c> or
/// <c>GOMP_SPINCOUNT</c> (the user's choice wins). The spin count changes only how idle threads wait, never what they
/// compute: a seed gives the same model as before. Other libraries in the process that use the same libgomp see the same
/// setting; ONNX Runtime has its own thread pool and is not affected.
/// </para>
/// </remarks>
internal static class OpenMpWaitPolicy
{
    /// <summary>GNU OpenMP's spin-count variable.</summary>
    public const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>The standard OpenMP wait-policy variable (ACTIVE or PASSIVE), honoured when the process sets it.</summary>
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";

    /// <summary>
    /// The spin count set when the process sets none: about a microsecond of spinning, then sleep — libgomp's own choice
    /// when it knows it has more threads than cores. Chosen with the benchmark program's <c>contention</c> command: on the
    /// 2-core development machine, throughput's model trained as fast alone as with 10,000 or libgomp's 300,000, and took
    /// 1.5× its time beside a busy loop and 1.9× beside a second fit (10,000: 2.8× and 3.3×; 0, never spinning: 1.2× and
    /// 1.4×, but 24% slower alone).
    /// </summary>
    public const int SpinCount = 1_000;

    /// <summary>What was done, for diagnostics and tests.</summary>
    public static string Status { get; private set; } = "not applied yet";

    /// <summary>Sets <see cref="SpinCountVariable"/> to <see cref="SpinCount"/> unless the process chose a wait policy itself. Linux only; call before libtorch loads.</summary>
    public static void ApplyBeforeLoad()
    {
        if (!OperatingSystem.IsLinux())
        {
            Status = "not applied: libtorch's OpenMP settings are only set on Linux";
            return;
        }
        foreach (string variable in new[] { WaitPolicyVariable, SpinCountVariable })
        {
            if (Marshal.PtrToStringUTF8(getenv(variable)) is { Length: > 0 } value)
            {
                Status = $"kept the environment's {variable}={value}";
                return;
            }
        }
        Status = setenv(SpinCountVariable, SpinCount.ToString(System.Globalization.CultureInfo.InvariantCulture), 0) == 0
            ? $"set {SpinCountVariable}={SpinCount}"
            : $"could not set {SpinCountVariable} (errno {Marshal.GetLastPInvokeError()})";
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc")]
    private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
