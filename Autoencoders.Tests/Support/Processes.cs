using System.Diagnostics;

namespace Autoencoders.Tests.Support;

/// <summary>Runs the tools the end-to-end tests drive (dotnet, node, npm) and finds the repository.</summary>
internal static class Processes
{
    /// <summary>The repository root (the folder holding Autoencoders.ML.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "Autoencoders.ML.sln")))
                    return directory.FullName;
            throw new AssertFailedException("Autoencoders.ML.sln not found above the test folder.");
        }
    }

    /// <summary>Runs <paramref name="file"/> in <paramref name="directory"/>; returns its exit code and output (standard output, then error).</summary>
    public static (int Code, string Output) Run(string file, string arguments, string directory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The test host's MSBuild variables would point a child build at the wrong SDK parts.
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath" })
            start.Environment.Remove(variable);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>Runs and asserts success, returning the output.</summary>
    public static string RunChecked(string file, string arguments, string directory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (code, output) = Run(file, arguments, directory, environment);
        Assert.AreEqual(0, code, $"{file} {arguments} failed:\n{output}");
        return output;
    }
}
