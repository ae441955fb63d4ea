namespace Autoencoders.Tests.Support;

/// <summary>
/// Comparisons between the batched path (one ONNX Runtime call per batch) and ML.NET's per-row path (one call per row):
/// the same graph, but the matrix kernels may round differently for one row than for many, in the last bits.
/// </summary>
internal static class Floats
{
    /// <summary>Per-row and batched results agree to this relative tolerance (a few float ulps).</summary>
    public const double RowVersusBatch = 1e-6;

    /// <summary>
    /// The same for the detector's default nearest-neighbour Score: a distance minus the training mean over the training
    /// deviation, summed over two views, so a last-bit difference in the distance product (GEMV for one row, GEMM for
    /// many) shows at about 1e-6 of it.
    /// </summary>
    public const double ScoreRowVersusBatch = 1e-5;

    public static void AssertClose(IEnumerable<float> expected, IEnumerable<float> actual, double relative = RowVersusBatch, string what = "value")
    {
        var e = expected.ToList();
        var a = actual.ToList();
        Assert.HasCount(e.Count, a);
        for (int i = 0; i < e.Count; i++)
            Assert.AreEqual(e[i], a[i], relative * Math.Max(1, Math.Abs(e[i])), $"{what} {i}");
    }
}
