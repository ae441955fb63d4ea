using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.ML.Scoring;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.ML;

/// <summary>Threshold rules (contamination, validation percentile, explicit), the Probability column, and changing them after training and after save and load.</summary>
[TestClass]
public sealed class ThresholdAndProbabilityTests
{
    private sealed class Output
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
        public float Probability { get; set; }
    }

    private static AutoencoderAnomalyDetectionTrainer.Options Options() => new() { NumberOfEpochs = 20, Seed = 7, ProbabilityColumnName = "Probability" };

    [TestMethod]
    public void Probability_IsTheShareOfTrainingScoresAtOrBelow_InZeroToOne_AndSurvivesSaveAndLoad()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        using var model = context.AnomalyDetection.Trainers.Autoencoder(Options()).Fit(train);
        // The stored distribution: every training row's score as if it were new (the graph scores a row against a prototype
        // that includes it, a little low, so the training rows' leave-one-out scores are stored instead; on average higher).
        var trainingScores = model.Model.TrainingScoreQuantiles!.ToArray();
        Assert.HasCount(400, trainingScores);
        var graphScores = model.Transform(train).GetColumn<float>("Score").ToArray();
        Assert.IsGreaterThan(graphScores.Average(), trainingScores.Average());
        Assert.IsTrue(graphScores.Order().Zip(trainingScores).All(p => p.First <= p.Second), "each stored score is at least the graph's own");
        var rows = context.Data.CreateEnumerable<Output>(model.Transform(test), false).ToList();
        foreach (var row in rows)
            Assert.AreEqual(trainingScores.Count(s => s <= row.Score) / (double)trainingScores.Length, row.Probability, 1e-6);
        Assert.IsTrue(rows.All(r => r.Probability is >= 0 and <= 1));
        Assert.IsGreaterThan(0.99, rows.TakeLast(40).Average(r => r.Probability), "the anomalies score above nearly every training row");
        Assert.AreEqual("contamination=0.1", model.Model.Metadata[OnnxNames.ThresholdRuleKey]);

        using var zip = new MemoryStream();
        context.Model.Save(model, train.Schema, zip);
        zip.Position = 0;
        var plain = new MLContext().Model.Load(zip, out _);
        Floats.AssertClose(rows.Select(r => r.Probability), plain.Transform(test).GetColumn<float>("Probability"), what: "probability");
        zip.Position = 0;
        var batched = new MLContext().Model.LoadWithAutoencoders(zip, out _);
        CollectionAssert.AreEqual(rows.Select(r => r.Probability).ToList(), batched.Transform(test).GetColumn<float>("Probability").ToList());
    }

    /// <summary>With stored training rows the graph itself scores the training rows leave-one-out: the stored distribution is its scores.</summary>
    [TestMethod]
    public void Probability_WithStoredTrainingRows_IsTheShareOfTheGraphsTrainingScores()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var options = Options();
        options.Neighbors.Reference = Autoencoders.Training.Scores.NeighborReference.TrainingRows;
        using var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        var trainingScores = model.Transform(train).GetColumn<float>("Score").ToArray();
        CollectionAssert.AreEqual(trainingScores.Order().ToArray(), model.Model.TrainingScoreQuantiles!.ToArray());
        foreach (var row in context.Data.CreateEnumerable<Output>(model.Transform(test), false))
            Assert.AreEqual(trainingScores.Count(s => s <= row.Score) / (double)trainingScores.Length, row.Probability, 1e-6);
    }

    [TestMethod]
    public void ValidationPercentile_FlagsAboutThatShareOfTheValidationRows()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var options = Options();
        options.ValidationPercentile = 90;
        using var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        var validation = model.Model.ValidationScoreQuantiles!;
        Assert.HasCount(40, validation); // 10% of 400 rows held out
        Assert.AreEqual(4, validation.Count(s => s > model.Threshold));
        Assert.AreEqual("validation_percentile=90", model.Model.Metadata[OnnxNames.ThresholdRuleKey]);
        // The validation rows, held out of training and scored as if new (left out of their prototypes), stand for new rows:
        // new normal rows are flagged about as often as the percentile says — more, as 40 rows make a rough percentile and
        // a prototype was built around each of its members (22% of 200 here); from the graph's in-group scores, far more.
        double newNormal = model.Transform(test).GetColumn<bool>("PredictedLabel").Take(200).Count(f => f) / 200.0;
        Assert.IsLessThanOrEqualTo(0.3, newNormal, "share of 200 new normal rows flagged");
    }

    [TestMethod]
    public void ThresholdRules_ChangeWithoutRetraining_AndSurviveSaveAndLoad()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        using var model = context.AnomalyDetection.Trainers.Autoencoder(Options()).Fit(train);
        using var strict = model.WithContamination(0.02);
        // Exactly 2% of the 400 stored training scores (each row's score as if it were new) lie above the threshold, and
        // at most that many training rows as the graph scores them.
        Assert.AreEqual(8, strict.Model.TrainingScoreQuantiles!.Count(s => s > strict.Threshold));
        Assert.IsLessThanOrEqualTo(8, strict.Transform(train).GetColumn<bool>("PredictedLabel").Count(f => f), "at most 2% of 400 training rows");
        using var percentile = model.WithValidationPercentile(95);
        Assert.AreEqual("validation_percentile=95", percentile.Model.Metadata[OnnxNames.ThresholdRuleKey]);
        using var fixedThreshold = model.WithThreshold(2.5f);
        Assert.AreEqual("explicit", fixedThreshold.Model.Metadata[OnnxNames.ThresholdRuleKey]);
        CollectionAssert.AreEqual(model.Transform(test).GetColumn<float>("Score").ToArray(), strict.Transform(test).GetColumn<float>("Score").ToArray());

        using var zip = new MemoryStream();
        context.Model.Save(strict, train.Schema, zip);
        zip.Position = 0;
        var loaded = (AutoencoderTransformer)new MLContext().Model.LoadWithAutoencoders(zip, out _);
        Assert.AreEqual(strict.Threshold, loaded.Threshold);
        using var again = loaded.WithContamination(0.1);
        Assert.AreEqual(model.Threshold, again.Threshold, "the training scores travel with the model");

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.WithContamination(0.7));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.WithValidationPercentile(100));
    }

    [TestMethod]
    public void BadThresholdSettings_AreNamed_AndOldModelsSayWhy()
    {
        var context = new MLContext(seed: 1);
        var options = Options();
        options.ValidationPercentile = 99;
        options.ValidationFraction = 0;
        Assert.AreEqual(nameof(options.ValidationPercentile), Assert.ThrowsExactly<ArgumentException>(() => context.AnomalyDetection.Trainers.Autoencoder(options)).ParamName);
        options.ValidationFraction = 0.1;
        options.ValidationPercentile = 0;
        Assert.AreEqual(nameof(options.ValidationPercentile), Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => context.AnomalyDetection.Trainers.Autoencoder(options)).ParamName);

        var old = (AutoencoderTransformer)context.Model.LoadWithAutoencoders("TestData/saved-0.1.0/model.zip", out _);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => old.WithContamination(0.05)).Message, "WithThreshold");
        var data = FeatureRow.Load(context, FeatureRow.From(SyntheticData.Normal(5, 8, seed: 1), false), 8);
        using var onnx = File.OpenRead("TestData/saved-0.1.0/model.onnx");
        Assert.ThrowsExactly<InvalidOperationException>(() => context.Transforms.ApplyAutoencoder(onnx, new AutoencoderScoringOptions { ProbabilityColumnName = "P" }).Fit(data));
    }
}
