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

        // 16 MiB is far above glibc's initial 128 KiB mmap threshold.
        Assert.IsFalse(IsMemoryMapped(16 << 20), "a 16 MiB block was still mmapped");

        // The control: a block the heap cannot hold must be mmapped, or the header was misread. A block just above the
        // 32 MiB ceiling is not enough: glibc serves any request from free heap space first (the top chunk may keep up to
        // the ~64 MiB trim threshold, and freed blocks coalesce), so after other tests in the same process a 48 MiB
        // request came from the heap (CI, 2026-11-29). 1 GiB is beyond a thread arena's 64 MiB and any free space this
        // suite leaves in the main heap; its pages are never touched.
        Assert.IsTrue(IsMemoryMapped(1 << 30), "a 1 GiB block should be mmapped (the header was misread?)");
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
