using Autoencoders.Training.Data;

namespace Autoencoders.Tests.Data;

/// <summary>The vectorized per-row kernels agree with their scalar definitions at every position, vector lanes and tails alike.</summary>
[TestClass]
public sealed class RowKernelTests
{
    [TestMethod]
    public void IndexOfNonFinite_FindsTheFirstBadValue_AtEveryPosition()
    {
        foreach (int length in new[] { 1, 7, 8, 9, 19, 32 })
        {
            var row = Enumerable.Range(0, length).Select(i => i % 3 == 0 ? float.MaxValue : -float.Epsilon * i).ToArray();
            Assert.AreEqual(-1, FiniteValues.IndexOfNonFinite(row), $"all finite, length {length}");
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                for (int at = 0; at < length; at++)
                {
                    var copy = (float[])row.Clone();
                    copy[at] = bad;
                    if (at + 3 < length)
                        copy[at + 3] = float.NaN; // a later one must not be reported instead
                    Assert.AreEqual(at, FiniteValues.IndexOfNonFinite(copy), $"{bad} at {at} of {length}");
                }
        }
        Assert.AreEqual(-1, FiniteValues.IndexOfNonFinite([]));
    }

    [TestMethod]
    public void Standardize_MatchesTheScalarFormula_Bitwise_AndChecksLengths()
    {
        var random = new Random(3);
        const int rows = 50, columns = 21; // two vectors and a tail of five
        var data = new FeatureMatrix(Enumerable.Range(0, rows * columns).Select(_ => (float)(random.NextDouble() * 1000 - 300)).ToArray(), rows, columns);
        var standardizer = Standardizer.Fit(data);
        var target = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            var row = data.Row(r);
            standardizer.Transform(row, target);
            for (int c = 0; c < columns; c++)
                Assert.AreEqual((row[c] - standardizer.Mean[c]) * standardizer.Scale[c], target[c], 0f, $"row {r}, feature {c}");
        }
        Assert.AreEqual("row", Assert.ThrowsExactly<ArgumentException>(() => standardizer.Transform(new float[columns - 1], new float[columns])).ParamName);
        Assert.AreEqual("target", Assert.ThrowsExactly<ArgumentException>(() => standardizer.Transform(new float[columns], new float[columns + 1])).ParamName);
    }
}
