using Autoencoders.Training.Onnx;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;

namespace Autoencoders.Tests.Training;

[TestClass]
public sealed class TrainerTests
{
    private static TrainerOptions Options(int seed = 3) => new() { NumberOfEpochs = 15, Seed = seed, HiddenLayerSizes = [16], LatentSize = 3 };

    [TestMethod]
    public void SameSeed_GivesIdenticalWeightsAndExportedBytes()
    {
        var data = SyntheticData.Normal(200, 10, seed: 1);
        using var first = new AutoencoderTrainer(Options()).Fit(data);
        using var second = new AutoencoderTrainer(Options()).Fit(data);
        CollectionAssert.AreEqual(first.ExportOnnx(0.5f).ToBytes(), second.ExportOnnx(0.5f).ToBytes());
        CollectionAssert.AreEqual(first.History.Select(h => h.TrainingLoss).ToList(), second.History.Select(h => h.TrainingLoss).ToList());
    }

    [TestMethod]
    public void DifferentSeed_GivesDifferentWeights()
    {
        var data = SyntheticData.Normal(200, 10, seed: 1);
        using var first = new AutoencoderTrainer(Options(1)).Fit(data);
        using var second = new AutoencoderTrainer(Options(2)).Fit(data);
        CollectionAssert.AreNotEqual(first.ExportOnnx(0.5f).ToBytes(), second.ExportOnnx(0.5f).ToBytes());
    }

    [TestMethod]
    public void EarlyStopping_KeepsTheBestValidationEpoch()
    {
        var options = Options();
        options.NumberOfEpochs = 300;
        options.ValidationFraction = 0.25;
        options.EarlyStoppingPatience = 5;
        options.LearningRate = 0.01;
        var data = SyntheticData.Normal(120, 10, seed: 1, noise: 0.5);
        using var trained = new AutoencoderTrainer(options).Fit(data);

        var best = trained.History.MinBy(h => h.ValidationLoss!.Value)!;
        Assert.AreEqual(best.Epoch, trained.BestEpoch);
        if (trained.StoppedEarly)
            Assert.AreEqual(trained.BestEpoch + 5, trained.History.Count);
        Assert.IsTrue(trained.History.All(h => h.ValidationLoss is not null));
    }

    [TestMethod]
    public void Losses_DecreaseWithAllLossKinds()
    {
        foreach (var loss in Enum.GetValues<ReconstructionLoss>())
        {
            var options = Options();
            options.Loss = loss;
            using var trained = new AutoencoderTrainer(options).Fit(SyntheticData.Normal(200, 10, seed: 1));
            Assert.IsLessThan(trained.History[0].TrainingLoss * 0.8, trained.History[^1].TrainingLoss, loss.ToString());
        }
    }

    [TestMethod]
    public void ConstantFeature_IsCentredNotDividedByZero()
    {
        var data = SyntheticData.Normal(100, 6, seed: 1);
        for (int r = 0; r < data.Rows; r++)
            data.Row(r)[2] = 7.5f;
        using var trained = new AutoencoderTrainer(Options()).Fit(data);
        Assert.AreEqual(1f, trained.Standardizer.Scale[2]);
        Assert.AreEqual(7.5f, trained.Standardizer.Mean[2]);
        Assert.IsTrue(trained.Score(data).All(float.IsFinite));
    }

    [TestMethod]
    public void NaNInTrainingData_NamesRowAndFeature()
    {
        var data = SyntheticData.Normal(50, 6, seed: 1);
        data.Row(17)[4] = float.NaN;
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new AutoencoderTrainer(Options()).Fit(data));
        StringAssert.Contains(error.Message, "Row 17");
        StringAssert.Contains(error.Message, "feature 4");
    }

    [TestMethod]
    public void HugeLearningRate_StopsWithDivergenceError()
    {
        var options = Options();
        options.LearningRate = 1e30;
        options.NumberOfEpochs = 50;
        var error = Assert.ThrowsExactly<TrainingDivergedException>(() => new AutoencoderTrainer(options).Fit(SyntheticData.Normal(100, 6, seed: 1)));
        StringAssert.Contains(error.Message, "LearningRate");
    }

    [TestMethod]
    public void Cancellation_StopsTraining()
    {
        using var cancellation = new CancellationTokenSource();
        var options = Options();
        options.NumberOfEpochs = 1000;
        options.Progress = m => { if (m.Epoch == 3) cancellation.Cancel(); };
        Assert.ThrowsExactly<OperationCanceledException>(() => new AutoencoderTrainer(options).Fit(SyntheticData.Normal(100, 6, seed: 1), cancellation.Token));
    }

    [TestMethod]
    public void EmptyData_IsRejected() =>
        Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(Options()).Fit(new FeatureMatrix([], 0, 4)));

    [TestMethod]
    [DataRow(nameof(TrainerOptions.NumberOfEpochs))]
    [DataRow(nameof(TrainerOptions.BatchSize))]
    [DataRow(nameof(TrainerOptions.LearningRate))]
    [DataRow(nameof(TrainerOptions.ValidationFraction))]
    [DataRow(nameof(TrainerOptions.TrainingDevice))]
    public void InvalidOption_IsNamed(string option)
    {
        var options = Options();
        switch (option)
        {
            case nameof(TrainerOptions.NumberOfEpochs): options.NumberOfEpochs = -1; break;
            case nameof(TrainerOptions.BatchSize): options.BatchSize = -1; break;
            case nameof(TrainerOptions.LearningRate): options.LearningRate = double.NaN; break;
            case nameof(TrainerOptions.ValidationFraction): options.ValidationFraction = 1; break;
            case nameof(TrainerOptions.TrainingDevice): options.TrainingDevice = "tpu"; break;
        }
        var error = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(options));
        Assert.AreEqual(option, error.ParamName);
    }

    [TestMethod]
    public void CudaWithoutGpu_FallsBackWithWarningOrThrows()
    {
        var warnings = new List<string>();
        var options = Options();
        options.TrainingDevice = "cuda";
        options.Log = warnings.Add;
        using (new AutoencoderTrainer(options).Fit(SyntheticData.Normal(60, 6, seed: 1)))
            Assert.IsTrue(warnings.Any(w => w.Contains("training on CPU")), string.Join("\n", warnings));

        options.FallbackToCpu = false;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => new AutoencoderTrainer(options).Fit(SyntheticData.Normal(60, 6, seed: 1)));
        StringAssert.Contains(error.Message, "cuda");
    }

    [TestMethod]
    public void OvercompleteLatent_LogsAWarning()
    {
        var warnings = new List<string>();
        var options = Options();
        options.LatentSize = 8;
        options.Log = warnings.Add;
        using var _ = new AutoencoderTrainer(options).Fit(SyntheticData.Normal(60, 6, seed: 1));
        Assert.IsTrue(warnings.Any(w => w.Contains("identity")));
    }

    [TestMethod]
    public void NativeTensors_DoNotAccumulateAcrossEpochs()
    {
        var data = SyntheticData.Normal(200, 10, seed: 1);
        long LiveTensorsLeftBy(int epochs)
        {
            var options = Options();
            options.NumberOfEpochs = epochs;
            options.ValidationFraction = 0.2;
            options.EarlyStoppingPatience = 0;
            long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (var trained = new AutoencoderTrainer(options).Fit(data))
            {
                trained.Predict(data);
                trained.ExportOnnx(1f);
            }
            return TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        }
        long afterFew = LiveTensorsLeftBy(2);
        long afterMany = LiveTensorsLeftBy(12);
        Assert.AreEqual(afterFew, afterMany, "live tensors must not grow with the number of epochs");
        Assert.IsLessThanOrEqualTo(0L, afterMany, "a disposed model leaves no live tensors behind");
    }

    [TestMethod]
    public void Contamination_IsTheUpperQuantile()
    {
        var scores = Enumerable.Range(0, 101).Select(i => (float)i).ToList();
        Assert.AreEqual(90f, AnomalyThreshold.FromContamination(scores, 0.1));
        Assert.AreEqual(95f, AnomalyThreshold.FromContamination(scores, 0.05));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AnomalyThreshold.FromContamination(scores, 0.7));
    }
}
