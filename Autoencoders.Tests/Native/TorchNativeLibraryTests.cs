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
}
