using System.Runtime.InteropServices;
using Autoencoders.Training.Native;

namespace Autoencoders.Tests.Native;

[TestClass]
public sealed class GlibcHeapTests
{
    /// <summary>
    /// Reads glibc's chunk header (the size word just before the block; bit 1 is IS_MMAPPED) to see whether malloc
    /// served a block by mmap, i.e. whether freeing it returns the pages to the kernel.
    /// </summary>
    [TestMethod]
    public void AfterPriming_BlocksUnder32MiB_ComeFromTheHeap()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("glibc only");
        Assert.IsTrue(GlibcHeap.PrimeOnce(), "glibc was not found or not primed");
        Assert.IsTrue(GlibcHeap.PrimeOnce(), "priming is idempotent");

        // 16 MiB is far above glibc's initial 128 KiB mmap threshold; 48 MiB is above the 32 MiB ceiling of its adaptation.
        Assert.IsFalse(IsMemoryMapped(16 << 20), "a 16 MiB block was still mmapped");
        Assert.IsTrue(IsMemoryMapped(48 << 20), "a 48 MiB block should stay mmapped (the header was misread?)");
    }

    private static bool IsMemoryMapped(int bytes)
    {
        IntPtr block = malloc((nuint)bytes);
        Assert.AreNotEqual(IntPtr.Zero, block);
        try
        {
            long size = Marshal.ReadInt64(block, -8);
            Assert.IsGreaterThanOrEqualTo((long)bytes, size & ~7L, "chunk size below the request: not a glibc chunk header");
            return (size & 2) != 0;
        }
        finally
        {
            free(block);
        }
    }

    [DllImport("libc")]
    private static extern IntPtr malloc(nuint size);

    [DllImport("libc")]
    private static extern void free(IntPtr block);
}
