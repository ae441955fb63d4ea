using Autoencoders.ML;
using Autoencoders.ML.Scoring;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.ML;

[TestClass]
public sealed class BatchedScoringTests
{
    private sealed class Output
    {
        public float Label { get; set; }
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
        public float[] Reconstruction { get; set; } = [];
        public float[] Latent { get; set; } = [];
    }

    private static (MLContext Context, AutoencoderTransformer Model, IDataView Test) Train(int scoringBatchSize)
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var options = AnomalyDetectionTests.FastOptions();
        options.ScoringBatchSize = scoringBatchSize;
        options.ReconstructionColumnName = "Reconstruction";
        options.LatentColumnName = "Latent";
        return (context, context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train), test);
    }

    /// <summary>The per-row path: what mlContext.Model.Load gives back (ML.NET's own components).</summary>
    private static ITransformer PerRow(MLContext context, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        context.Model.Save(model, schema, stream);
        stream.Position = 0;
        return new MLContext().Model.Load(stream, out _);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(7)]
    [DataRow(256)]
    public void BatchedOutputs_MatchThePerRowPath(int batchSize)
    {
        var (context, model, test) = Train(batchSize);
        var batched = model.Transform(test);
        Assert.IsInstanceOfType<BatchedScoringDataView>(batched);
        var expected = context.Data.CreateEnumerable<Output>(PerRow(context, model, test.Schema).Transform(test), false).ToList();
        var actual = context.Data.CreateEnumerable<Output>(batched, false).ToList();

        Assert.HasCount(240, actual);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.AreEqual(expected[i].Label, actual[i].Label, $"row {i}: pass-through column");
            Floats.AssertClose([expected[i].Score], [actual[i].Score], Floats.ScoreRowVersusBatch, what: $"row {i} score");
            Assert.AreEqual(expected[i].PredictedLabel, actual[i].PredictedLabel, $"row {i}");
            Floats.AssertClose(expected[i].Reconstruction, actual[i].Reconstruction, what: $"row {i} reconstruction");
            Floats.AssertClose(expected[i].Latent, actual[i].Latent, what: $"row {i} latent");
        }
        Assert.AreEqual(batched.Schema.ToString(), PerRow(context, model, test.Schema).Transform(test).Schema.ToString());
    }

    [TestMethod]
    public void ScoreAlone_AndLabelAlone_CanBeRead()
    {
        var (context, model, test) = Train(32);
        var scored = model.Transform(test);
        var scores = scored.GetColumn<float>("Score").ToList();
        var labels = scored.GetColumn<bool>("PredictedLabel").ToList();
        CollectionAssert.AreEqual(scores.Select(s => s > model.Threshold).ToList(), labels);
        Assert.AreEqual(240, scored.GetColumn<float>("Label").Count());
    }

    [TestMethod]
    public void ReadingTheScoreAlone_RunsTheGraphCutToIt_WithTheWholeGraphsScores()
    {
        var (context, model, test) = Train(32);
        var cut = model.Model.ToBytes([OnnxNames.Score, OnnxNames.PredictedLabel]);
        var whole = model.Model.ToBytes();
        Assert.IsLessThan(whole.Length, cut.Length, "the cut graph leaves out the decoder, the errors and the probability");
        OnnxChecker.AssertAccepts(cut, "graph cut to the score");

        var features = context.Data.CreateEnumerable<FeaturesRow>(test, false).SelectMany(r => r.Features).ToArray();
        var matrix = new Autoencoders.Training.Data.FeatureMatrix(features, 240, features.Length / 240);
        var expected = Ort.Run(whole, matrix, out var expectedLabels)[OnnxNames.Score];
        var scored = model.Transform(test);
        Floats.AssertClose(expected, scored.GetColumn<float>("Score"), Floats.ScoreRowVersusBatch, what: "scores read alone");
        CollectionAssert.AreEqual(expectedLabels, scored.GetColumn<bool>("PredictedLabel").ToArray());

        var unknown = Assert.ThrowsExactly<ArgumentException>(() => model.Model.ToBytes(["Score", "Scores"]));
        StringAssert.Contains(unknown.Message, "'Scores' is not an output");
        Assert.ThrowsExactly<ArgumentException>(() => model.Model.ToBytes([]));
    }

    private sealed class FeaturesRow
    {
        [VectorType]
        public float[] Features { get; set; } = [];
    }

    [TestMethod]
    public void ParallelCursorsAndPredictionEngines_GiveIdenticalResults()
    {
        var (context, model, test) = Train(64);
        var scored = model.Transform(test);
        var reference = scored.GetColumn<float>("Score").ToArray();
        var fromThreads = new float[8][];
        Parallel.For(0, fromThreads.Length, t => fromThreads[t] = scored.GetColumn<float>("Score").ToArray());
        foreach (var run in fromThreads)
            CollectionAssert.AreEqual(reference, run);

        var rows = context.Data.CreateEnumerable<FeatureRow>(test, false).ToList();
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 12);
        var fromEngines = new float[4][];
        Parallel.For(0, fromEngines.Length, t =>
        {
            var engine = context.Model.CreatePredictionEngine<FeatureRow, ScoredRow>(model, inputSchemaDefinition: schema);
            fromEngines[t] = rows.Select(r => engine.Predict(r).Score).ToArray();
        });
        foreach (var run in fromEngines)
            CollectionAssert.AreEqual(fromEngines[0], run);
        Floats.AssertClose(reference, fromEngines[0], Floats.ScoreRowVersusBatch, what: "prediction-engine score");
    }

    [TestMethod]
    public void OutputShadowingAnInputColumn_IsBatched_AndMatchesThePerRowPath()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var options = AnomalyDetectionTests.FastOptions();
        options.ScoreColumnName = "Label"; // replaces the input's Label column, which stays behind it, hidden
        var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        var scored = model.Transform(test);
        Assert.IsInstanceOfType<BatchedScoringDataView>(scored);
        Assert.IsTrue(scored.Schema.Count(c => c.Name == "Label") == 2 && scored.Schema.First(c => c.Name == "Label").IsHidden);
        var perRow = PerRow(context, model, test.Schema).Transform(test);
        Floats.AssertClose(perRow.GetColumn<float>("Label"), scored.GetColumn<float>("Label"), Floats.ScoreRowVersusBatch, what: "score");
        Assert.AreEqual(240, scored.GetColumn<float>("Label").Count());
    }
}

[TestClass]
public sealed class SavedModelLoaderTests
{
    [TestMethod]
    public void OrtFormatMisreading_IsRecognizedThroughML_NETsWrapping_AndNothingElseIs()
    {
        // The chain ML.NET throws when ONNX Runtime reads its temporary file, named *.ort by chance, as an ORT-format model.
        var ort = new InvalidOperationException("Error initializing model :Microsoft.ML.OnnxRuntime.OnnxRuntimeException: [ErrorCode:Fail] inference_session.cc:2226 operator() ORT model verification failed.");
        var wrapped = new InvalidOperationException("Error during class instantiation", new System.Reflection.TargetInvocationException(ort));
        Assert.IsTrue(SavedModelLoader.IsOrtFormatMisreading(wrapped));
        Assert.IsFalse(SavedModelLoader.IsOrtFormatMisreading(new InvalidOperationException("Error during class instantiation",
            new InvalidOperationException("Error initializing model :[ErrorCode:InvalidProtobuf] Load model from x failed: Protobuf parsing failed."))));
    }

    [TestMethod]
    public void RowGraph_RestoresTheExportedModelByteForByte()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = AnomalyDetectionTests.Split(context);
        var options = AnomalyDetectionTests.FastOptions();
        options.FeatureErrorsColumnName = "Why";
        var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        Assert.IsTrue(Autoencoders.Training.Onnx.AutoencoderOnnxModel.TryFromRowGraph(SavedForm.RowGraph(model.Model, options), out var restored, out var tag));
        CollectionAssert.AreEqual(model.Model.ToBytes(), restored.ToBytes());
        Assert.AreEqual("Why", ScoringColumns.FromJson(tag).FeatureErrors);
    }

    [TestMethod]
    public void LoadWithAutoencoders_RestoresBatchedStagesInsidePipelines()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var options = AnomalyDetectionTests.FastOptions();
        options.FeatureColumnName = "Copied";
        options.ScoringBatchSize = 50;
        var pipeline = context.Transforms.CopyColumns("Copied", "Features").Append(context.AnomalyDetection.Trainers.Autoencoder(options));
        var model = pipeline.Fit(train);
        using var saved = new MemoryStream();
        context.Model.Save(model, train.Schema, saved);

        saved.Position = 0;
        var loaded = new MLContext().Model.LoadWithAutoencoders(saved, out var schema);
        var stage = ((TransformerChain<ITransformer>)loaded).OfType<AutoencoderTransformer>().Single();
        Assert.AreEqual("Copied", stage.FeatureColumnName);
        Assert.AreEqual(model.LastTransformer.Threshold, stage.Threshold);
        CollectionAssert.AreEqual(model.Transform(test).GetColumn<float>("Score").ToList(), loaded.Transform(test).GetColumn<float>("Score").ToList());
        Assert.IsNotNull(schema.GetColumnOrNull("Features"));
    }

    [TestMethod]
    public void LoadWithAutoencoders_RestoresAStageSavedAlone()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(context);
        var model = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        string path = Path.Combine(Path.GetTempPath(), $"stage-{Guid.NewGuid():N}.zip");
        try
        {
            context.Model.Save(model, train.Schema, path);
            var loaded = new MLContext().Model.LoadWithAutoencoders(path, out _);
            Assert.IsInstanceOfType<AutoencoderTransformer>(loaded);
            Assert.IsInstanceOfType<BatchedScoringDataView>(loaded.Transform(test));
            CollectionAssert.AreEqual(model.Transform(test).GetColumn<float>("Score").ToList(), loaded.Transform(test).GetColumn<float>("Score").ToList());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
