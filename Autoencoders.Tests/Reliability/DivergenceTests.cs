using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Tests.ML;
using Autoencoders.Training.Trainers;
using Microsoft.ML;

namespace Autoencoders.Tests.Reliability;

/// <summary>
/// A learning rate far too high makes the weights run away while the loss stays finite; that used to train a useless
/// model (AUC 0.60 at 100, 0.37 at 1e6, against 0.99 by default) without a word. Now it stops with
/// <see cref="TrainingDivergedException"/>.
/// </summary>
[TestClass]
public sealed class DivergenceTests
{
    [TestMethod]
    [DataRow(100.0)]
    [DataRow(1e6)]
    public void RunawayLearningRate_StopsWithTrainingDiverged(double learningRate)
    {
        var context = new MLContext(seed: 1);
        var (train, _) = AnomalyDetectionTests.Split(context);
        var options = new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 30, Seed = 7, LearningRate = learningRate };
        var error = Assert.ThrowsExactly<TrainingDivergedException>(() => context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train));
        StringAssert.Contains(error.Message, "LearningRate");
    }

    [TestMethod]
    public void DefaultLearningRate_TrainsWithoutWarnings()
    {
        var context = new MLContext(seed: 1);
        var warnings = new List<string>();
        context.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.RawMessage); };
        var (train, _) = AnomalyDetectionTests.Split(context);
        context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        Assert.IsEmpty(warnings, string.Join("\n", warnings));
    }
}
