using System.Diagnostics;
using Autoencoders.Training.Native;

namespace Autoencoders.Tests.Native;

[TestClass]
public sealed class TorchNativeLibraryTests
{
    [TestMethod]
    public void MakeWeak_SetsTheFlagOnThatRequirementOnly()
    {
        string? shipped = TorchNativeLibrary.Locate();
        if (!OperatingSystem.IsLinux() || shipped is null)
            Assert.Inconclusive("Linux-only: libLibTorchSharp.so is not next to the tests.");
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        try
        {
            File.Copy(shipped, copy);
            var before = ElfVersionNeeds.Read(File.ReadAllBytes(copy));
            var marker = before.Single(r => r.Version == TorchNativeLibrary.MarkerVersion);
            Assert.AreEqual("libstdc++.so.6", marker.Library);

            // The shipped copy may already be patched in place by an earlier run; clear the flag to test from scratch.
            using (var file = new FileStream(copy, FileMode.Open, FileAccess.Write))
            {
                file.Position = marker.FlagsOffset;
                file.Write(BitConverter.GetBytes((ushort)(marker.Flags & ~ElfVersionNeeds.WeakFlag)));
            }
            Assert.IsTrue(ElfVersionNeeds.MakeWeak(copy, TorchNativeLibrary.MarkerVersion));
            Assert.IsFalse(ElfVersionNeeds.MakeWeak(copy, TorchNativeLibrary.MarkerVersion), "a second call changes nothing");

            var after = ElfVersionNeeds.Read(File.ReadAllBytes(copy));
            Assert.HasCount(before.Count, after);
            foreach (var (old, now) in before.Zip(after))
            {
                Assert.AreEqual(old.Version, now.Version);
                if (now.Version == TorchNativeLibrary.MarkerVersion)
                    Assert.IsTrue(now.IsWeak);
                else
                    Assert.AreEqual(old.Flags, now.Flags, now.Version);
            }
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [TestMethod]
    public void Read_RejectsFilesThatAreNotElf()
    {
        Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Read("not an elf file at all, just some text here to be long enough to parse"u8.ToArray()));
        var truncated = new byte[64];
        truncated[0] = 0x7f; truncated[1] = (byte)'E'; truncated[2] = (byte)'L'; truncated[3] = (byte)'F'; truncated[4] = 2; truncated[5] = 1;
        truncated[0x28] = 0xff; truncated[0x3c] = 1; // section headers beyond the end
        Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Read(truncated));
    }

    [TestMethod]
    public void EnsureLoaded_LeavesTorchSharpUsable()
    {
        TorchNativeLibrary.EnsureLoaded();
        Assert.AreEqual(6f, TorchSharp.torch.tensor(new[] { 1f, 2f, 3f }).sum().item<float>());
        Assert.IsFalse(TorchNativeLibrary.Status.Contains("not loaded yet"), TorchNativeLibrary.Status);
    }

    /// <summary>
    /// An application outside this repository that references only Autoencoders.ML (no Directory.Build files of ours,
    /// no runtime identifier, so natives land under runtimes/) must train and score on this distribution.
    /// </summary>
    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void ConsumerProjectOutsideTheRepository_TrainsAndScores()
    {
        string repository = FindRepositoryRoot();
        string directory = Directory.CreateTempSubdirectory("autoencoders-consumer").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <NoWarn>NU1603</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="{Path.Combine(repository, "Autoencoders.ML", "Autoencoders.ML.csproj")}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(directory, "Program.cs"), """
                using Autoencoders.ML;
                using Microsoft.ML;
                using Microsoft.ML.Data;
                var random = new Random(1);
                var rows = Enumerable.Range(0, 200).Select(_ => { float t = (float)random.NextDouble(); return new Row { Features = [t, 2 * t, 3 * t, 1 - t] }; }).ToList();
                var context = new MLContext(seed: 1);
                var schema = SchemaDefinition.Create(typeof(Row));
                schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 4);
                var data = context.Data.LoadFromEnumerable(rows, schema);
                var model = context.AnomalyDetection.Trainers.Autoencoder(numberOfEpochs: 5, seed: 1).Fit(data);
                Console.WriteLine($"scored {model.Transform(data).GetColumn<float>("Score").Count()} rows");
                public sealed class Row { public float[] Features { get; set; } = []; }
                """);
            // A fresh output folder gets the unpatched libLibTorchSharp.so from the package: the fix must happen at run time.
            var (code, output) = Run("dotnet", $"run --project \"{directory}\"", directory);
            Assert.AreEqual(0, code, output);
            StringAssert.Contains(output, "scored 200 rows");
            Assert.IsFalse(Directory.EnumerateDirectories(Path.Combine(directory, "bin"), "cpu", SearchOption.AllDirectories).Any(),
                "TorchSharp's fallback copy of libtorch (a failed load) must not happen");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Autoencoders.ML.sln")))
                return directory.FullName;
        throw new AssertFailedException("Autoencoders.ML.sln not found above the test folder.");
    }

    private static (int Code, string Output) Run(string file, string arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
