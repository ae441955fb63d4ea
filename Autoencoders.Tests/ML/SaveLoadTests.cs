using Autoencoders.ML;
using Autoencoders.ML.Scoring;
using Autoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.ML;

[TestClass]
public sealed class SaveLoadTests
{
    private static List<ScoredRow> Score(MLContext context, ITransformer model, IDataView data) =>
        context.Data.CreateEnumerable<ScoredRow>(model.Transform(data), reuseRowObject: false).ToList();

    [TestMethod]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void SavedPipeline_ReloadsInNewContext_WithIdenticalScores_AfterOnnxFileIsDeleted()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var trained = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        string directory = Directory.CreateTempSubdirectory("autoencoder-save").FullName;
        try
        {
            string onnx = Path.Combine(directory, "model.onnx");
            trained.SaveOnnx(onnx);
            var fromFile = context.Transforms.ApplyAutoencoder(onnx).Fit(train);
            string zip = Path.Combine(directory, "model.zip");
            context.Model.Save(fromFile, train.Schema, zip);
            File.Delete(onnx);

            var fresh = new MLContext();
            var loaded = fresh.Model.Load(zip, out var inputSchema);
            Assert.IsNotInstanceOfType<AutoencoderTransformer>(loaded, "the saved form must be ML.NET's own components");
            var expected = Score(context, trained, test);
            var actual = Score(fresh, loaded, test);
            Floats.AssertClose(expected.Select(r => r.Score), actual.Select(r => r.Score), Floats.ScoreRowVersusBatch, what: "score");
            CollectionAssert.AreEqual(expected.Select(r => r.PredictedLabel).ToList(), actual.Select(r => r.PredictedLabel).ToList());
            Assert.IsNotNull(inputSchema.GetColumnOrNull("Features"));

            // Our loader restores the batched path from the same file: identical scores.
            var batched = new MLContext().Model.LoadWithAutoencoders(zip, out _);
            CollectionAssert.AreEqual(expected.Select(r => r.Score).ToList(), Score(fresh, batched, test).Select(r => r.Score).ToList());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void PipelineWithOtherStages_SavesAndLoads()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var options = AnomalyDetectionTests.FastOptions();
        options.FeatureColumnName = "Copied";
        options.ScoreColumnName = "Anomaly";
        var pipeline = context.Transforms.CopyColumns("Copied", "Features").Append(context.AnomalyDetection.Trainers.Autoencoder(options));
        var model = pipeline.Fit(train);
        using var stream = new MemoryStream();
        context.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        var expected = model.Transform(test).GetColumn<float>("Anomaly").ToList();
        Floats.AssertClose(expected, loaded.Transform(test).GetColumn<float>("Anomaly"), Floats.ScoreRowVersusBatch, "score");
        Assert.IsNull(loaded.Transform(test).Schema.GetColumnOrNull(SavedForm.ScoreVectorColumn));
    }

    [TestMethod]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void ApplyAutoencoder_FromStream_ScoresLikeTheTrainedModel()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var trained = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        using var stream = new MemoryStream();
        trained.SaveOnnx(stream);
        stream.Position = 0;
        var applied = context.Transforms.ApplyAutoencoder(stream).Fit(test);
        Assert.AreEqual(trained.Threshold, applied.Threshold);
        CollectionAssert.AreEqual(Score(context, trained, test).Select(r => r.Score).ToList(), Score(context, applied, test).Select(r => r.Score).ToList());
    }

    [TestMethod]
    public void ScoringGraphForMLNet_PassesTheOnnxChecker()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = AnomalyDetectionTests.Split(context);
        var options = AnomalyDetectionTests.FastOptions();
        options.LatentColumnName = "Code";
        var trained = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        OnnxChecker.AssertAccepts(SavedForm.RowGraph(trained.Model, options));
    }

    [TestMethod]
    public void CorruptedFiles_GiveClearErrors()
    {
        var context = new MLContext(seed: 1);
        string path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
            var onnxError = Assert.ThrowsExactly<InvalidDataException>(() => context.Transforms.ApplyAutoencoder(path));
            StringAssert.Contains(onnxError.Message, path);

            var (train, _) = AnomalyDetectionTests.Split(context);
            var trained = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
            using (var stream = new MemoryStream())
            {
                context.Model.Save(trained, train.Schema, stream);
                var bytes = stream.ToArray();
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            }
            Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
