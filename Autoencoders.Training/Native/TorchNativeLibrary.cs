using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace Autoencoders.Training.Native;

/// <summary>
/// Makes TorchSharp's native library loadable on Linux distributions whose libstdc++ is older than the one
/// it was built against (Debian 12, Ubuntu 22.04 and similar).
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> declares a need for <c>GLIBCXX_3.4.32</c> only because of the marker
/// symbol <c>_ZSt21ios_base_library_initv</c>, which it never calls. On a system whose libstdc++ stops at
/// 3.4.30 the dynamic loader refuses the library, and TorchSharp reports the misleading
/// "doesn't contain a reference to libtorch-cpu-linux-x64" (after copying ~480 MB into a <c>cpu</c> folder).
/// </para>
/// <para>
/// <see cref="EnsureLoaded"/> first loads the library as it is. Only if that fails and the file carries that
/// strict requirement does it set the weak flag (<c>VER_FLG_WEAK</c>) on it, in a copy: the application's own files are
/// never modified (signed or integrity-checked deployments stay intact). The copy lives in a per-user cache folder
/// keyed by the original's hash (<c>$XDG_CACHE_HOME/autoencoders-ml/native/HASH</c>, else <c>~/.cache/…</c>, else the
/// temporary folder), is made once and reused, and is loaded and handed to TorchSharp through a
/// <see cref="DllImportResolver"/>. Every training entry point calls it, so applications that reference Autoencoders.ML
/// (as a package or a project) need no build step of their own.
/// </para>
/// </remarks>
public static class TorchNativeLibrary
{
    internal const string LibraryFileName = "libLibTorchSharp.so";
    internal const string MarkerVersion = "GLIBCXX_3.4.32";

    private static readonly object Gate = new();
    private static bool _done;

    /// <summary>How the native library was made loadable; for diagnostics and tests.</summary>
    public static string Status { get; private set; } = "not loaded yet";

    /// <summary>
    /// Ensures TorchSharp's native library is loaded, applying the libstdc++ fix described above when needed, with
    /// libtorch's OpenMP spin count set first (<see cref="OpenMpWaitPolicy"/>).
    /// Safe to call many times and from several threads.
    /// </summary>
    /// <exception cref="InvalidOperationException">The library was found but cannot be loaded even after the fix.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_done)
                return;
            OpenMpWaitPolicy.ApplyBeforeLoad();
            if (OperatingSystem.IsLinux())
                LoadOnLinux(forceCopy: false);
            else
                Status = "not needed on this operating system";
            _done = true;
        }
    }

    /// <summary>Loads the library; <paramref name="forceCopy"/> makes and loads the patched copy even when the original loads (tests).</summary>
    internal static void LoadOnLinux(bool forceCopy)
    {
        string? path = Locate();
        if (path is null)
        {
            Status = $"{LibraryFileName} not found next to the application; TorchSharp will search for it itself";
            return;
        }
        if (!forceCopy && NativeLibrary.TryLoad(path, out _))
        {
            Status = $"loaded {path} as shipped";
            return;
        }

        var marker = ElfVersionNeeds.Read(File.ReadAllBytes(path)).FirstOrDefault(r => r.Version == MarkerVersion);
        if (marker.Version is null || (marker.IsWeak && !forceCopy))
        {
            Status = $"{path} failed to load for a reason other than {MarkerVersion}; TorchSharp will report it";
            return;
        }

        LoadPatchedCopy(path);
    }

    /// <summary>Where patched copies are kept: a per-user cache folder, or the temporary folder when there is none.</summary>
    internal static IEnumerable<string> CacheFolders()
    {
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache)
            yield return Path.Combine(cache, "autoencoders-ml", "native");
        if (Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home)
            yield return Path.Combine(home, ".cache", "autoencoders-ml", "native");
        yield return Path.Combine(Path.GetTempPath(), "autoencoders-ml", "native");
    }

    private static void LoadPatchedCopy(string original)
    {
        string directory = Path.GetDirectoryName(original)!;
        byte[] bytes = File.ReadAllBytes(original);
        string hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        string copy = PatchedCopy(bytes, hash);

        // The copy's RUNPATH ($ORIGIN) no longer points at libtorch: load its dependencies from the original
        // folder first, so the loader resolves them by their already-loaded sonames.
        foreach (string dependency in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            string dependencyPath = Path.Combine(directory, dependency);
            if (File.Exists(dependencyPath))
                NativeLibrary.Load(dependencyPath);
        }
        if (!NativeLibrary.TryLoad(copy, out IntPtr handle))
            throw LoadFailure(copy);

        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) =>
            name is "LibTorchSharp" or LibraryFileName ? handle : IntPtr.Zero);
        Status = $"loaded a patched copy {copy} ({original} is left as shipped)";
    }

    /// <summary>The patched copy for a library with this hash: the cached one, or a new one in the first cache folder that takes it.</summary>
    private static string PatchedCopy(byte[] bytes, string hash)
    {
        var errors = new List<string>();
        foreach (string folder in CacheFolders())
        {
            string copyDirectory = Path.Combine(folder, hash);
            string copy = Path.Combine(copyDirectory, LibraryFileName);
            if (File.Exists(copy))
                return copy;
            try
            {
                Directory.CreateDirectory(copyDirectory);
                string staging = copy + "." + Environment.ProcessId + ".tmp";
                File.WriteAllBytes(staging, bytes);
                ElfVersionNeeds.MakeWeak(staging, MarkerVersion);
                File.Move(staging, copy, overwrite: true);
                return copy;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{folder}: {e.Message}");
            }
        }
        throw new InvalidOperationException($"TorchSharp's native library needs a patched copy ({MarkerVersion} marked weak), but no cache folder can be written: {string.Join("; ", errors)}.");
    }

    private static InvalidOperationException LoadFailure(string path) => new(
        $"TorchSharp's native library '{path}' could not be loaded even after marking {MarkerVersion} weak. " +
        "Check that the libtorch-cpu-linux-x64 native files sit next to it (see README, 'Older Linux distributions').");

    /// <summary>Whether libtorch (a CPU or CUDA build) sits beside TorchSharp's bridge library at <paramref name="bridge"/>.</summary>
    internal static bool LibtorchBeside(string bridge) =>
        File.Exists(Path.Combine(Path.GetDirectoryName(bridge)!, "libtorch_cpu.so")) || File.Exists(Path.Combine(Path.GetDirectoryName(bridge)!, "libtorch.so"));

    /// <summary>Finds libLibTorchSharp.so where the .NET host probes for native libraries.</summary>
    internal static string? Locate()
    {
        var directories = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
            directories.AddRange(searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        string? torchSharpDirectory = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchSharpDirectory))
        {
            directories.Add(torchSharpDirectory);
            directories.Add(Path.Combine(torchSharpDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"));
            directories.Add(Path.Combine(torchSharpDirectory, "runtimes", "linux-x64", "native"));
        }
        directories.Add(AppContext.BaseDirectory);
        return directories.Select(d => Path.Combine(d, LibraryFileName)).FirstOrDefault(File.Exists);
    }
}
