using Autoencoders.ML;
using Autoencoders.ML.Scoring;
using Autoencoders.Tests.ML;
using Autoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Reliability;

/// <summary>Rows of the wrong length, out-of-range batch sizes, use after Dispose and damaged files: each a clear error.</summary>
[TestClass]
public sealed class SmallerCasesTests
{
    private static IDataView WithOneRowOfLength(MLContext context, int length, int at = 5)
    {
        var rows = FeatureRow.From(SyntheticData.Normal(40, 12, seed: 1), false).ToList();
        rows[at].Features = rows[at].Features.Take(Math.Min(length, 12)).Concat(Enumerable.Repeat(1f, Math.Max(0, length - 12))).ToArray();
        return FeatureRow.Load(context, rows, 12);
    }

    [TestMethod]
    [DataRow(8)]
    [DataRow(15)]
    public void RowOfWrongLength_InTraining_IsNamed(int length)
    {
        var context = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<InvalidDataException>(() =>
            context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(WithOneRowOfLength(context, length)));
        StringAssert.Contains(error.Message, "Row 5");
        StringAssert.Contains(error.Message, $"{length} values");
        StringAssert.Contains(error.Message, "'Features'");
    }

    [TestMethod]
    [DataRow(8)]
    [DataRow(15)]
    public void RowOfWrongLength_InScoring_IsNamed(int length)
    {
        var context = new MLContext(seed: 1);
        var (train, _) = AnomalyDetectionTests.Split(context);
        using var model = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => model.Transform(WithOneRowOfLength(context, length)).GetColumn<float>("Score").ToList());
        StringAssert.Contains(error.Message, "Row 5");
        StringAssert.Contains(error.Message, $"{length} values");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(int.MaxValue)]
    public void ScoringBatchSize_OutOfRange_IsNamed(int size)
    {
        var context = new MLContext(seed: 1);
        var options = AnomalyDetectionTests.FastOptions();
        options.ScoringBatchSize = size;
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => context.AnomalyDetection.Trainers.Autoencoder(options));
        Assert.AreEqual(nameof(AutoencoderScoringOptions.ScoringBatchSize), error.ParamName);
    }

    [TestMethod]
    public void UseAfterDispose_ThrowsObjectDisposed()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var model = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        var scored = model.Transform(test);
        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.Transform(test));
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.WithThreshold(1));
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.GetRowToRowMapper(test.Schema));
        Assert.ThrowsExactly<ObjectDisposedException>(() => scored.GetColumn<float>("Score").ToList());
        Assert.ThrowsExactly<ObjectDisposedException>(() => context.Model.Save(model, train.Schema, new MemoryStream()));
    }

    [TestMethod]
    public void DamagedModelFile_IsOneClearError()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = AnomalyDetectionTests.Split(context);
        using var model = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        using var zip = new MemoryStream();
        context.Model.Save(model, train.Schema, zip);
        byte[] bytes = zip.ToArray();
        // Damage the middle of the file (inside the stored ONNX model).
        for (int i = bytes.Length / 3; i < bytes.Length / 3 + 200; i++)
            bytes[i] ^= 0x5A;
        var error = Assert.ThrowsExactly<InvalidDataException>(() => context.Model.LoadWithAutoencoders(new MemoryStream(bytes), out _));
        StringAssert.Contains(error.Message, "damaged");
        var truncated = Assert.ThrowsExactly<InvalidDataException>(() => context.Model.LoadWithAutoencoders(new MemoryStream(bytes[..(bytes.Length / 2)]), out _));
        StringAssert.Contains(truncated.Message, "damaged");
    }
}
