using Autoencoders.Tests.Support;

namespace Autoencoders.Tests.Reliability;

/// <summary>
/// Native crashes under garbage-collector pressure: the benchmark program's <c>soak</c> command fits and scores every
/// stage kind (dense, convolutional, variational, denoising, features; saved and reloaded with both loaders) for a bounded
/// time while a thread forces collections, in a process of its own with a tiny generation-0 budget
/// (<c>DOTNET_GCgen0size</c>) — a handle freed while native code reads it ends that process, not the test run, and fails here.
/// </summary>
[TestClass]
public sealed class SoakTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void EveryStageKind_UnderForcedCollections_DoesNotCrash()
    {
        string project = Path.Combine(Processes.RepositoryRoot, "benchmarks", "Autoencoders.Benchmarks");
        Processes.RunChecked("dotnet", $"build -c Release \"{project}\"", Processes.RepositoryRoot);
        var (code, output) = Processes.Run("dotnet", $"run -c Release --no-build --project \"{project}\" -- soak --seconds 45", Processes.RepositoryRoot,
            new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x20000" });
        TestContext.WriteLine(output.Split('\n').LastOrDefault(l => l.StartsWith("soak:", StringComparison.Ordinal)) ?? output);
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "0 failures");
        Assert.IsFalse(output.Contains("rounds, 0 fits", StringComparison.Ordinal), output);
    }
}
