using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.ML.Scoring;
using Autoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.ML;

[TestClass]
public sealed class AnomalyDetectionTests
{
    private const int Columns = 12;

    internal static (IDataView Train, IDataView Test) Split(MLContext context)
    {
        var train = FeatureRow.From(SyntheticData.Normal(400, Columns, seed: 1), false);
        var test = FeatureRow.From(SyntheticData.Normal(200, Columns, seed: 2), false)
            .Concat(FeatureRow.From(SyntheticData.Anomalies(40, Columns, seed: 3), true));
        return (FeatureRow.Load(context, train, Columns), FeatureRow.Load(context, test, Columns));
    }

    internal static AutoencoderAnomalyDetectionTrainer.Options FastOptions() => new() { NumberOfEpochs = 30, Seed = 7 };

    [TestMethod]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void Fit_ProducesScalarScoreAndBooleanLabel_ThatEvaluateAccepts()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = Split(context);
        var model = context.AnomalyDetection.Trainers.Autoencoder(FastOptions()).Fit(train);
        var scored = model.Transform(test);

        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["Score"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, scored.Schema["PredictedLabel"].Type);
        var metrics = context.AnomalyDetection.Evaluate(scored);
        Assert.IsGreaterThan(0.95, metrics.AreaUnderRocCurve, $"AUC {metrics.AreaUnderRocCurve}");
    }

    [TestMethod]
    public void Contamination_FlagsThatShareOfTheTrainingRows_AsIfNew_AndOfNewNormalRows()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = Split(context);
        var options = FastOptions();
        options.Contamination = 0.2;
        using var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        // The threshold is taken from every training row's score as if it were new (leave-one-out: with prototypes the
        // graph scores a training row against a prototype it is part of): exactly 20% of those lie above it, at most 20%
        // of the graph's own training scores, and about 20% of new rows from the same distribution.
        Assert.AreEqual(80, model.Model.TrainingScoreQuantiles!.Count(s => s > model.Threshold));
        int flagged = model.Transform(train).GetColumn<bool>("PredictedLabel").Count(f => f);
        Assert.IsLessThanOrEqualTo(80, flagged);
        double newNormal = model.Transform(test).GetColumn<bool>("PredictedLabel").Take(200).Count(f => f) / 200.0;
        Assert.AreEqual(0.2, newNormal, 0.08, "share of 200 new normal rows flagged");

        // With the training rows stored, the graph itself scores them leave-one-out: 20% of them are flagged.
        options.Neighbors.Reference = Autoencoders.Training.Scores.NeighborReference.TrainingRows;
        using var rows = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        Assert.AreEqual(0.2, rows.Transform(train).GetColumn<bool>("PredictedLabel").Count(f => f) / 400.0, 0.01);
    }

    [TestMethod]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void WithThreshold_ChangesLabelsButNotScores()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = Split(context);
        var model = context.AnomalyDetection.Trainers.Autoencoder(FastOptions()).Fit(train);
        var before = context.Data.CreateEnumerable<ScoredRow>(model.Transform(test), reuseRowObject: false).ToList();

        float median = before.Select(r => r.Score).Order().ElementAt(before.Count / 2);
        var changed = model.WithThreshold(median);
        var after = context.Data.CreateEnumerable<ScoredRow>(changed.Transform(test), reuseRowObject: false).ToList();

        Assert.AreEqual(median, changed.Threshold);
        CollectionAssert.AreEqual(before.Select(r => r.Score).ToList(), after.Select(r => r.Score).ToList());
        CollectionAssert.AreEqual(after.Select(r => r.Score > median).ToList(), after.Select(r => r.PredictedLabel).ToList());
        Assert.AreNotEqual(before.Count(r => r.PredictedLabel), after.Count(r => r.PredictedLabel));
    }

    [TestMethod]
    public void ExplicitThreshold_OverridesContamination()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = Split(context);
        var options = FastOptions();
        options.Threshold = 123.5f;
        Assert.AreEqual(123.5f, context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train).Threshold);
    }

    [TestMethod]
    public void OptionalOutputs_HaveTheirDeclaredShapes()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = Split(context);
        var options = FastOptions();
        options.ReconstructionColumnName = "Reconstruction";
        options.LatentColumnName = "Latent";
        options.FeatureErrorsColumnName = "Errors";
        options.LatentSize = 3;
        options.ScoreKind = Autoencoders.Training.Trainers.ScoreKind.ReconstructionError; // whose Score is the mean of the errors
        var scored = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train).Transform(test);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, Columns), scored.Schema["Reconstruction"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3), scored.Schema["Latent"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, Columns), scored.Schema["Errors"].Type);
        var errors = scored.GetColumn<float[]>("Errors").First();
        var score = scored.GetColumn<float>("Score").First();
        Assert.AreEqual(errors.Average(), score, 1e-5);
    }

    [TestMethod]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void PredictionEngine_MatchesBulkScoring()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = Split(context);
        var model = context.AnomalyDetection.Trainers.Autoencoder(FastOptions()).Fit(train);
        var bulk = context.Data.CreateEnumerable<ScoredRow>(model.Transform(test), reuseRowObject: false).ToList();
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Columns);
        var engine = context.Model.CreatePredictionEngine<FeatureRow, ScoredRow>(model, inputSchemaDefinition: schema);
        var rows = context.Data.CreateEnumerable<FeatureRow>(test, reuseRowObject: false).ToList();
        for (int i = 0; i < rows.Count; i += 17)
            Floats.AssertClose([bulk[i].Score], [engine.Predict(rows[i]).Score], Floats.ScoreRowVersusBatch, what: $"row {i}");
    }

    [TestMethod]
    public void GetOutputSchema_AddsScoreAndLabel()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = Split(context);
        var shape = context.AnomalyDetection.Trainers.Autoencoder().GetOutputSchema(Autoencoders.ML.Interop.MLNetInternals.ShapeOf(train.Schema));
        Assert.IsTrue(shape.Any(c => c.Name == "Score" && c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType == NumberDataViewType.Single));
        Assert.IsTrue(shape.Any(c => c.Name == "PredictedLabel" && c.ItemType == BooleanDataViewType.Instance));
    }

    [TestMethod]
    public void StreamingFromTheDataView_TrainsAGoodDetector()
    {
        var context = new MLContext(seed: 1);
        var (train, test) = Split(context);
        var options = FastOptions();
        options.ShuffleBufferRows = 100;
        var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        Assert.AreEqual(364L, model.Training!.TrainingRows); // 10% held out (by a seeded hash of the row index) to keep the best epoch
        Assert.IsGreaterThan(0.95, context.AnomalyDetection.Evaluate(model.Transform(test)).AreaUnderRocCurve);
    }

    [TestMethod]
    public void Training_ReportsHistoryAndProgress()
    {
        var context = new MLContext(seed: 1);
        var (train, _) = Split(context);
        var options = FastOptions();
        int calls = 0;
        options.Progress = _ => calls++;
        var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        Assert.AreEqual(30, calls);
        Assert.AreEqual(30, model.Training!.History.Count);
        Assert.IsLessThan(model.Training.History[0].TrainingLoss, model.Training.History[^1].TrainingLoss);
        Assert.AreEqual(360, model.Training.TrainingRows); // 10% held out to keep the best epoch
    }
}
