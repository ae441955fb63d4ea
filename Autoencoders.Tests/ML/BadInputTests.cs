using Autoencoders.ML;
using Autoencoders.ML.Data;
using Autoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.ML;

[TestClass]
public sealed class BadInputTests
{
    private sealed class ScalarRow { public float Features { get; set; } }
    private sealed class VariableRow { public float[] Features { get; set; } = []; }

    [TestMethod]
    public void MissingColumn_IsNamed()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = AnomalyDetectionTests.Split(context);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => context.AnomalyDetection.Trainers.Autoencoder("Pixels").Fit(train));
        StringAssert.Contains(error.Message, "'Pixels' was not found");
    }

    [TestMethod]
    public void ScalarColumn_IsRejectedWithAdvice()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new ScalarRow { Features = 1 } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => context.AnomalyDetection.Trainers.Autoencoder().Fit(data));
        StringAssert.Contains(error.Message, "Concatenate");
    }

    [TestMethod]
    public void VariableSizeColumn_IsRejected()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new VariableRow { Features = [1, 2] }, new VariableRow { Features = [1, 2, 3] } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => context.AnomalyDetection.Trainers.Autoencoder().Fit(data));
        StringAssert.Contains(error.Message, "variable-size");
    }

    [TestMethod]
    public void NaNInTraining_ThrowsNamingTheRow_OrIsSkippedWhenAsked()
    {
        var context = new MLContext(seed: 1);
        var rows = FeatureRow.From(SyntheticData.Normal(100, 6, seed: 1), false).ToList();
        rows[42].Features[3] = float.PositiveInfinity;
        var data = FeatureRow.Load(context, rows, 6);
        var options = AnomalyDetectionTests.FastOptions();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => context.AnomalyDetection.Trainers.Autoencoder(options).Fit(data));
        StringAssert.Contains(error.Message, "Row 42");

        var warnings = new List<string>();
        context.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) warnings.Add(e.Message); };
        options.InvalidValueHandling = InvalidValueHandling.SkipRow;
        var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(data);
        Assert.AreEqual(89, model.Training!.TrainingRows); // 99 usable rows, 10 held out to keep the best epoch
        Assert.IsTrue(warnings.Any(w => w.Contains("Skipped 1 of 100")), string.Join("\n", warnings));
    }

    [TestMethod]
    public void EmptyTrainingData_IsAClearError()
    {
        var context = new MLContext(seed: 1);
        var data = FeatureRow.Load(context, [], 6);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => context.AnomalyDetection.Trainers.Autoencoder().Fit(data));
        StringAssert.Contains(error.Message, "empty");
    }

    [TestMethod]
    public void WrongVectorSizeAtScoring_IsAClearError()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = AnomalyDetectionTests.Split(context);
        var model = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        var other = FeatureRow.Load(context, FeatureRow.From(SyntheticData.Normal(5, 7, seed: 1), false), 7);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(other));
        StringAssert.Contains(error.Message, "has 7 values per row; this autoencoder was trained on 12");
    }

    [TestMethod]
    public void NaNAtScoring_ScoresInfinityAndIsFlagged()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = AnomalyDetectionTests.Split(context);
        var model = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        var rows = FeatureRow.From(SyntheticData.Normal(2, 12, seed: 1), false).ToList();
        rows[1].Features[5] = float.NaN;
        var scored = context.Data.CreateEnumerable<ScoredRow>(model.Transform(FeatureRow.Load(context, rows, 12)), false).ToList();
        Assert.IsFalse(scored[0].PredictedLabel);
        Assert.AreEqual(float.PositiveInfinity, scored[1].Score);
        Assert.IsTrue(scored[1].PredictedLabel);
    }

    [TestMethod]
    public void GpuScoringWithoutCudaProvider_FallsBackWithWarning_OrThrows()
    {
        var context = new MLContext(seed: 1);
        var warnings = new List<string>();
        context.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) warnings.Add(e.Message); };
        var (train, test) = AnomalyDetectionTests.Split(context);
        var options = AnomalyDetectionTests.FastOptions();
        options.GpuDeviceId = 0;
        var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        Assert.AreEqual(240, model.Transform(test).GetColumn<float>("Score").Count());
        Assert.IsTrue(warnings.Any(w => w.Contains("Microsoft.ML.OnnxRuntime.Gpu")), string.Join("\n", warnings));

        Assert.AreEqual(1, warnings.Count(w => w.Contains("GPU scoring on device 0 is not available") && w.Contains("Scoring on CPU")), string.Join("\n", warnings));
        Assert.IsNull(model.ScoringGpuDeviceId);

        // Without fallback the request fails before training, not after it.
        options.FallbackToCpu = false;
        int epochs = 0;
        options.Progress = _ => epochs++;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train));
        StringAssert.Contains(error.Message, "nothing was trained");
        Assert.AreEqual(0, epochs);
    }

    [TestMethod]
    public void InvalidOptions_AreNamed()
    {
        var context = new MLContext(seed: 1);
        var options = AnomalyDetectionTests.FastOptions();
        options.Contamination = 0.9;
        Assert.AreEqual("Contamination", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => context.AnomalyDetection.Trainers.Autoencoder(options)).ParamName);
        options = AnomalyDetectionTests.FastOptions();
        options.NumberOfEpochs = -1;
        Assert.AreEqual("NumberOfEpochs", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => context.AnomalyDetection.Trainers.Autoencoder(options)).ParamName);
        options = AnomalyDetectionTests.FastOptions();
        options.ReconstructionColumnName = "Score";
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => context.AnomalyDetection.Trainers.Autoencoder(options)).Message, "'Score' is used for");
        options = AnomalyDetectionTests.FastOptions();
        options.ScoreColumnName = null;
        Assert.AreEqual("ScoreColumnName", Assert.ThrowsExactly<ArgumentException>(() => context.AnomalyDetection.Trainers.Autoencoder(options)).ParamName);
    }
}
