using Autoencoders.Training.Onnx;
using Autoencoders.ML;
using Autoencoders.ML.Features;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;
using Microsoft.ML;

namespace Autoencoders.Tests.Training;

[TestClass]
public sealed class StackedPretrainingTests
{
    private static TrainerOptions Options(int pretraining) => new()
    {
        NumberOfEpochs = 3,
        PretrainingEpochs = pretraining,
        Seed = 5,
        LearningRate = 3e-3,
        HiddenLayerSizes = [24, 12], LatentSize = 4,
        Corruptions = [Corruption.Masking(0.2)],
    };

    [TestMethod]
    public void EveryEncoderLayerIsPretrained_ThenTheStackIsFineTuned()
    {
        var data = SyntheticData.Normal(400, 16, seed: 1);
        using var stacked = new AutoencoderTrainer(Options(8)).Fit(data);
        Assert.HasCount(3, stacked.PretrainingHistory, "two hidden layers and the code");
        foreach (var layer in stacked.PretrainingHistory)
        {
            Assert.HasCount(8, layer);
            Assert.IsLessThan(layer[0].TrainingLoss, layer[^1].TrainingLoss);
        }
        Assert.HasCount(3, stacked.History);

        using var plain = new AutoencoderTrainer(Options(0)).Fit(data);
        Assert.IsEmpty(plain.PretrainingHistory);
        Assert.IsLessThan(plain.History[0].TrainingLoss, stacked.History[0].TrainingLoss, "fine-tuning starts from a better point");
    }

    [TestMethod]
    public void StackedTraining_IsReproducible()
    {
        var data = SyntheticData.Normal(200, 16, seed: 1);
        using var first = new AutoencoderTrainer(Options(2)).Fit(data);
        using var second = new AutoencoderTrainer(Options(2)).Fit(data);
        CollectionAssert.AreEqual(first.ExportOnnx(1f).ToBytes(), second.ExportOnnx(1f).ToBytes());
    }

    [TestMethod]
    public void UnsupportedArchitectures_AreRejected()
    {
        var options = Options(2);
        options.UseBatchNormalization = true;
        Assert.AreEqual("PretrainingEpochs", Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(options)).ParamName);
        options = Options(2);
        options.DecoderHiddenLayerSizes = [8];
        Assert.AreEqual("PretrainingEpochs", Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(options)).ParamName);
    }

    [TestMethod]
    public void Featurizer_ReportsPerLayerPretraining()
    {
        var context = new MLContext(seed: 1);
        var data = FeatureRow.Load(context, FeatureRow.From(SyntheticData.Normal(200, 12, seed: 1), false), 12);
        var model = context.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options
        {
            HiddenLayerSizes = [8],
            LatentSize = 3,
            PretrainingEpochs = 2,
            NumberOfEpochs = 2,
            Corruptions = [Corruption.GaussianNoise(0.1)],
            Seed = 1,
        }).Fit(data);
        Assert.HasCount(2, model.Training!.PretrainingHistory);
        StringAssert.Contains(model.Model.Metadata[Autoencoders.Training.Onnx.OnnxNames.TrainingKey], "layerwise_pretraining_epochs=2");
    }
}
