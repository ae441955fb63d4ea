using Autoencoders.Training.Onnx;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;

namespace Autoencoders.Tests.Training;

[TestClass]
public sealed class StreamingTrainingTests
{
    /// <summary>A source that is not a FeatureMatrix, so training cannot take the in-memory path, and that counts its passes.</summary>
    private sealed class CountingSource(FeatureMatrix rows) : IRowSource
    {
        public int Passes { get; private set; }
        public int Columns => rows.Columns;
        public IRowReader OpenReader()
        {
            Passes++;
            return rows.OpenReader();
        }
    }

    private static TrainerOptions Options(int? bufferRows) => new()
    {
        NumberOfEpochs = 12,
        Seed = 4,
        ShuffleBufferRows = bufferRows,
        HiddenLayerSizes = [16], LatentSize = 3,
    };

    [TestMethod]
    [DataRow(1)]
    [DataRow(7)]
    [DataRow(1000)]
    public void Shuffle_EmitsEveryRowExactlyOnce(int capacity)
    {
        var rows = Enumerable.Range(0, 50).Select(i => new[] { (float)i }).ToList();
        var shuffle = new StreamingShuffle(capacity, 1, new Random(3));
        int next = 0;
        var emitted = new List<float>();
        var row = new float[1];
        while (shuffle.TryNext(slot => { if (next >= rows.Count) return false; rows[next++].CopyTo(slot); return true; }, row))
            emitted.Add(row[0]);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 50).Select(i => (float)i).ToList(), emitted);
        if (capacity == 1)
            CollectionAssert.AreEqual(Enumerable.Range(0, 50).Select(i => (float)i).ToList(), emitted);
        else
            CollectionAssert.AreNotEqual(Enumerable.Range(0, 50).Select(i => (float)i).ToList(), emitted);
    }

    [TestMethod]
    public void StreamedTraining_IsReproducible_LearnsAndReadsOnePassPerEpoch()
    {
        var data = SyntheticData.Normal(300, 10, seed: 1);
        var source = new CountingSource(data);
        using var first = new AutoencoderTrainer(Options(64)).Fit(source);
        Assert.AreEqual(1 + 12, source.Passes, "one pass for the statistics, one per epoch");
        using var second = new AutoencoderTrainer(Options(64)).Fit(new CountingSource(data));
        CollectionAssert.AreEqual(first.ExportOnnx(1f).ToBytes(), second.ExportOnnx(1f).ToBytes());
        Assert.IsLessThan(first.History[0].TrainingLoss * 0.5, first.History[^1].TrainingLoss);
        Assert.AreEqual(300L, first.TrainingRows);

        // Same standardization as in memory; the model is close in quality.
        using var inMemory = new AutoencoderTrainer(Options(null)).Fit(data);
        CollectionAssert.AreEqual(inMemory.Standardizer.Mean, first.Standardizer.Mean);
        Assert.AreEqual(inMemory.Score(data).Average(), first.Score(source).Average(), 0.5 * inMemory.Score(data).Average() + 0.01);
    }

    [TestMethod]
    public void StreamedValidation_HoldsOutRowsAndStopsEarly()
    {
        var options = Options(50);
        options.NumberOfEpochs = 200;
        options.LearningRate = 0.01;
        options.ValidationFraction = 0.25;
        options.EarlyStoppingPatience = 4;
        using var trained = new AutoencoderTrainer(options).Fit(new CountingSource(SyntheticData.Normal(200, 10, seed: 2, noise: 0.5)));
        Assert.IsTrue(trained.TrainingRows is > 120 and < 180, $"{trained.TrainingRows} training rows");
        Assert.IsTrue(trained.History.All(h => h.ValidationLoss is not null));
        Assert.AreEqual(trained.History.MinBy(h => h.ValidationLoss!.Value)!.Epoch, trained.BestEpoch);
    }

    [TestMethod]
    public void StreamedNaN_NamesTheRow()
    {
        var data = SyntheticData.Normal(80, 6, seed: 1);
        data.Row(33)[1] = float.NegativeInfinity;
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new AutoencoderTrainer(Options(16)).Fit(new CountingSource(data)));
        StringAssert.Contains(error.Message, "Row 33");
    }

    [TestMethod]
    public void StreamedEmptySource_IsRejected() =>
        Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(Options(16)).Fit(new CountingSource(new FeatureMatrix([], 0, 3))));
}
