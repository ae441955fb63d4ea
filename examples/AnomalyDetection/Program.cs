// Anomaly detection on the Wisconsin breast-cancer data: train on benign rows only, then flag malignant ones.
// The autoencoder and ML.NET's RandomizedPca are trained and evaluated on the same split, and the autoencoder
// is saved with mlContext.Model.Save, reloaded in a new MLContext and checked to score identically.
using System.Globalization;
using Autoencoders.ML;
using Autoencoders.Examples;
using Autoencoders.ML.AnomalyDetection;
using Microsoft.ML;
using Microsoft.ML.Data;

const int FeatureCount = 30;
const int Seed = 42;
string dataPath = Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.csv");

var rows = File.ReadLines(dataPath).Skip(1).Select(line =>
{
    var fields = line.Split(',').Select(f => float.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    // Target 0 = malignant: the anomaly (Label = 1); 1 = benign: normal (Label = 0).
    return new Patient { Features = fields[..FeatureCount], Label = fields[FeatureCount] == 0 ? 1f : 0f };
}).ToList();

// Train on 70% of the benign rows; test on the other benign rows and all malignant ones.
var random = new Random(Seed);
var benign = rows.Where(r => r.Label == 0).OrderBy(_ => random.Next()).ToList();
int trainCount = (int)(benign.Count * 0.7);
var trainRows = benign.Take(trainCount).ToList();
var testRows = benign.Skip(trainCount).Concat(rows.Where(r => r.Label == 1)).ToList();

var mlContext = new MLContext(seed: Seed);
var schema = SchemaDefinition.Create(typeof(Patient));
schema[nameof(Patient.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureCount);
var train = mlContext.Data.LoadFromEnumerable(trainRows, schema);
var test = mlContext.Data.LoadFromEnumerable(testRows, schema);
Console.WriteLine($"Wisconsin breast cancer: {trainRows.Count} benign training rows; test {testRows.Count(r => r.Label == 0)} benign + {testRows.Count(r => r.Label == 1)} malignant.");

// The autoencoder, with its defaults (contamination 0.1 sets the threshold).
var autoencoder = mlContext.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
{
    FeatureColumnName = "Features",
    Seed = Seed,
});
var autoencoderModel = autoencoder.Fit(train);
var autoencoderMetrics = mlContext.AnomalyDetection.Evaluate(autoencoderModel.Transform(test));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Autoencoder: {autoencoderModel.Training!.Architecture}, {autoencoderModel.Training.History.Count} epochs, threshold {autoencoderModel.Threshold:G4}."));

// ML.NET's RandomizedPca on the same split; it does not standardize, so give it standardized features for fairness.
var pca = mlContext.Transforms.NormalizeMeanVariance("Features")
    .Append(mlContext.AnomalyDetection.Trainers.RandomizedPca(featureColumnName: "Features", rank: 8, seed: Seed));
var pcaScored = pca.Fit(train).Transform(test);
var pcaMetrics = mlContext.AnomalyDetection.Evaluate(pcaScored);

// A naive reference: mean squared z-score (distance from the benign mean in standardized units); flag the top 10%.
var means = Enumerable.Range(0, FeatureCount).Select(c => trainRows.Average(r => (double)r.Features[c])).ToArray();
var stds = Enumerable.Range(0, FeatureCount).Select(c => Math.Sqrt(trainRows.Average(r => Math.Pow(r.Features[c] - means[c], 2)))).ToArray();
float Naive(Patient p) => (float)Enumerable.Range(0, FeatureCount).Average(c => Math.Pow((p.Features[c] - means[c]) / stds[c], 2));
float naiveThreshold = trainRows.Select(Naive).Order().ElementAt((int)(trainRows.Count * 0.9));
var naiveScored = mlContext.Data.LoadFromEnumerable(testRows.Select(p => new NaiveScore { Label = p.Label, Score = Naive(p), PredictedLabel = Naive(p) > naiveThreshold }));
var naiveMetrics = mlContext.AnomalyDetection.Evaluate(naiveScored);

Console.WriteLine();
Console.WriteLine("Test-set metrics (\"detection rate\" = share of malignant rows flagged before 10 benign ones are):");
Console.WriteLine("| Detector                      |   AUC  | Detection rate at FP count |");
Console.WriteLine("|-------------------------------|--------|----------------------------|");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Autoencoder (Autoencoders.ML) | {autoencoderMetrics.AreaUnderRocCurve:F4} | {autoencoderMetrics.DetectionRateAtFalsePositiveCount,26:F4} |"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| RandomizedPca (ML.NET)        | {pcaMetrics.AreaUnderRocCurve:F4} | {pcaMetrics.DetectionRateAtFalsePositiveCount,26:F4} |"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Naive: mean squared z-score   | {naiveMetrics.AreaUnderRocCurve:F4} | {naiveMetrics.DetectionRateAtFalsePositiveCount,26:F4} |"));

var scored = mlContext.Data.CreateEnumerable<Prediction>(autoencoderModel.Transform(test), reuseRowObject: false).ToList();
int truePositives = scored.Zip(testRows).Count(p => p.First.PredictedLabel && p.Second.Label == 1);
int falsePositives = scored.Zip(testRows).Count(p => p.First.PredictedLabel && p.Second.Label == 0);
Console.WriteLine($"Autoencoder at its threshold: {truePositives} of {testRows.Count(r => r.Label == 1)} malignant flagged, {falsePositives} of {testRows.Count(r => r.Label == 0)} benign flagged.");

// Save with ML.NET and reload in a fresh MLContext, twice: with Autoencoders.ML's loader (batched scoring restored:
// identical scores) and with ML.NET's own loader (no code of this library involved; ONNX Runtime one row per call, whose
// float rounding can differ from the batched call in the last bits).
string modelPath = Path.Combine(Path.GetTempPath(), "breast-cancer-autoencoder.zip");
string onnxPath = Path.ChangeExtension(modelPath, ".onnx");
mlContext.Model.Save(autoencoderModel, train.Schema, modelPath);
autoencoderModel.SaveOnnx(onnxPath);
List<float> ScoresOf(ITransformer model) =>
    mlContext.Data.CreateEnumerable<Prediction>(model.Transform(test), reuseRowObject: false).Select(p => p.Score).ToList();
var original = scored.Select(p => p.Score).ToList();
bool identical = ScoresOf(new MLContext().Model.LoadWithAutoencoders(modelPath, out _)).SequenceEqual(original);
double largestDifference = ScoresOf(new MLContext().Model.Load(modelPath, out _)).Zip(original)
    .Max(p => Math.Abs(p.First - p.Second) / Math.Max(1, Math.Abs(p.Second)));
Console.WriteLine($"Saved {modelPath} ({new FileInfo(modelPath).Length / 1024} KiB) and the portable {onnxPath}.");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reloaded with LoadWithAutoencoders: scores identical: {identical}. Reloaded with ML.NET's Load: largest score difference {largestDifference:E1} (relative above 1)."));
if (!identical || largestDifference > 1e-5)
    return 1;

// Pictures (ScottPlot): the loss per epoch, the test scores against the threshold, the ROC curves of the three detectors.
string pictures = args.Length > 0 ? args[0] : Path.GetTempPath();
Directory.CreateDirectory(pictures);
Plots.Losses(Path.Combine(pictures, "breast-cancer-loss.png"),
    autoencoderModel.Training.History.Select(h => (h.Epoch, h.TrainingLoss, h.ValidationLoss)).ToList(), "Autoencoder training on benign rows");
var anomalous = testRows.Select(r => r.Label == 1).ToList();
var scores = scored.Select(p => p.Score).ToArray();
Plots.ScoreHistogram(Path.Combine(pictures, "breast-cancer-scores.png"), scores.Where((_, i) => !anomalous[i]).ToList(), scores.Where((_, i) => anomalous[i]).ToList(),
    autoencoderModel.Threshold, "Test scores: benign (normal) and malignant (anomalous)", "autoencoder score");
Plots.Roc(Path.Combine(pictures, "breast-cancer-roc.png"),
[
    ("Autoencoder", scores),
    ("RandomizedPca", pcaScored.GetColumn<float>("Score").ToArray()),
    ("Mean squared z-score", testRows.Select(Naive).ToArray()),
], anomalous, "Wisconsin breast cancer, test split");
Console.WriteLine($"Pictures: {Path.Combine(pictures, "breast-cancer-{loss,scores,roc}.png")}");

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"autoencoder AUC: {autoencoderMetrics.AreaUnderRocCurve:F4}; RandomizedPca AUC: {pcaMetrics.AreaUnderRocCurve:F4}"));
return 0;

internal sealed class Patient
{
    public float[] Features { get; set; } = [];
    public float Label { get; set; }
}

internal sealed class NaiveScore
{
    public float Label { get; set; }
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
}

internal sealed class Prediction
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
}
