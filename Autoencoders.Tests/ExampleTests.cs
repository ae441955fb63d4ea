using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Autoencoders.Tests;

/// <summary>The README's example command, run as a user would: it must succeed and end with its summary line.</summary>
[TestClass]
public sealed class ExampleTests
{
    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void AnomalyDetectionExample_PrintsItsTableAndSummary()
    {
        string repository = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repository, "Autoencoders.ML.sln")))
            repository = Path.GetDirectoryName(repository) ?? throw new AssertFailedException("Autoencoders.ML.sln not found above the test folder.");
        var start = new ProcessStartInfo("dotnet", "run --project examples/AnomalyDetection")
        {
            WorkingDirectory = repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath" })
            start.Environment.Remove(variable);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, output + error.Result);

        StringAssert.Contains(output, "| RandomizedPca (ML.NET)");
        StringAssert.Contains(output, "Reloaded with LoadWithAutoencoders: scores identical: True.");
        var last = output.TrimEnd().Split('\n')[^1].Trim();
        var match = Regex.Match(last, @"^autoencoder AUC: (\d\.\d{4}); RandomizedPca AUC: (\d\.\d{4})$");
        Assert.IsTrue(match.Success, $"last line: {last}");
        Assert.IsGreaterThan(0.9, double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
