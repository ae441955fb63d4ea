using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Reliability;

/// <summary>
/// The contamination threshold flags at most that share of the training rows, ties included: it is computed from the
/// graph's own (ONNX Runtime) scores, which can differ from TorchSharp's in the last bit.
/// </summary>
[TestClass]
public sealed class ThresholdTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void ManyDuplicateRows_FlagAtMostTheContamination(int seed)
    {
        var context = new MLContext(seed: 1);
        var varied = SyntheticData.Normal(15, 6, seed: 10);
        var rows = Enumerable.Repeat(varied.Row(0).ToArray(), 285).Concat(Enumerable.Range(0, 15).Select(r => varied.Row(r).ToArray()))
            .Select(f => new FeatureRow { Features = f }).ToList();
        var data = FeatureRow.Load(context, rows, 6);
        var model = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 5, Seed = seed, Contamination = 0.1 }).Fit(data);
        int flagged = model.Transform(data).GetColumn<bool>("PredictedLabel").Count(f => f);
        Assert.IsLessThanOrEqualTo(30, flagged, $"seed {seed}: {flagged} of 300 rows flagged at contamination 0.1");
    }

    [TestMethod]
    public void ConstantFeatures_FlagNoMoreThanTheContamination()
    {
        var context = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 200).Select(_ => new FeatureRow { Features = [1f, 2f, 3f, 4f] }).ToList();
        var data = FeatureRow.Load(context, rows, 4);
        var model = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 3, Seed = 2 }).Fit(data);
        int flagged = model.Transform(data).GetColumn<bool>("PredictedLabel").Count(f => f);
        Assert.IsLessThanOrEqualTo(20, flagged);
    }

    [TestMethod]
    public void Quantile_IsATrainingScore_AndFlagsAtMostTheShare()
    {
        float[] scores = [5, 1, 3, 3, 3, 3, 2, 4, 3, 3];
        // 10 rows, contamination 0.2: at most 2 above the threshold.
        float threshold = AnomalyThreshold.FromContamination(scores, 0.2);
        Assert.AreEqual(3f, threshold);
        Assert.AreEqual(2, scores.Count(s => s > threshold));
        // Ties at the cut: 0.3 would allow 3 rows, but only 2 lie strictly above the tied value.
        Assert.AreEqual(3f, AnomalyThreshold.FromContamination(scores, 0.3));
        Assert.AreEqual(5f, AnomalyThreshold.FromContamination([1, 2, 3, 4, 5], 0.1)); // 0.5 rows round down to none: the maximum
    }
}
