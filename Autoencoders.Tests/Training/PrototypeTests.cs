using System.Runtime.InteropServices;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Onnx.Proto;
using Autoencoders.Training.Scores;
using Autoencoders.Training.Trainers;
using Autoencoders.ML.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace Autoencoders.Tests.Training;

/// <summary>
/// The nearest-neighbour score over prototypes (the default <see cref="NeighborReference"/>): the groups, the score by its
/// definition, what a saved model holds of the training rows, and per-row against batched scores on duplicated rows.
/// </summary>
[TestClass]
public sealed class PrototypeTests
{
    [TestMethod]
    [DataRow(200, 16, 3)]
    [DataRow(200, 100, 3)]   // the budget allows more groups than 200 / 3: 66 groups of 3 rows, the last of 5
    [DataRow(7, 16, 3)]      // two groups: 3 and 4 rows
    [DataRow(5, 16, 3)]      // fewer than twice the members: one group of all of them
    public void Groups_HaveTheirSize_AtMostTheBudget_AndAreTheSameEveryTime(int rows, int budget, int members)
    {
        TorchNativeLibraryLoaded();
        var data = SyntheticData.Normal(rows, 5, seed: 3);
        using var x = torch.tensor(data.Values, [rows, 5]);
        var groups = PrototypeGroups.Assign(x, budget, members);
        Assert.HasCount(rows, groups);
        var sizes = groups.GroupBy(g => g).OrderBy(g => g.Key).Select(g => g.Count()).ToList();
        int size = Math.Max(members, (rows + budget - 1) / budget);   // 13 rows per group for 200 rows in at most 16 groups
        Assert.IsLessThanOrEqualTo(budget, sizes.Count);
        Assert.IsTrue(rows < 2 * size ? sizes.Count == 1 : sizes.All(s => s >= size && s < 2 * size), string.Join(",", sizes));
        Assert.IsTrue(sizes.SkipLast(1).All(s => s == size), "every group but the last has exactly the size");
        CollectionAssert.AreEquivalent(Enumerable.Range(0, sizes.Count).ToList(), groups.Distinct().ToList());
        CollectionAssert.AreEqual(groups, PrototypeGroups.Assign(x, budget, members), "the same groups every time");
    }

    /// <summary>
    /// The definition, in double precision: the groups' means, spreads and counts in the input and the code; a row's
    /// distance is the mean over its k nearest training rows, each group taken in order of ‖x − c‖² + spread, as many times
    /// as it has members; each stored row scored without itself (its group's mean, spread and count updated); standardized
    /// by those leave-one-out distances; input plus code. Then ONNX Runtime against TorchSharp.
    /// </summary>
    [TestMethod]
    public void Score_FollowsTheDefinition_AndOnnxRuntimeAgrees()
    {
        var options = new TrainerOptions
        {
            NumberOfEpochs = 5, Seed = 4, HiddenLayerSizes = [], LatentSize = 3, ScoreKind = ScoreKind.NearestNeighbors,
            Neighbors = { Count = 4, ReferenceSize = 12, PrototypeMembers = 3 },
        };
        var training = SyntheticData.Normal(90, 6, seed: 7);
        using var trained = new AutoencoderTrainer(options).Fit(training);
        var standardized = trained.Standardizer.Transform(training);
        int[] groups;
        using (var x = torch.tensor(standardized.Values, [90, 6]))
            groups = PrototypeGroups.Assign(x, 12, 3);
        int count = groups.Max() + 1;
        // Stored in a seeded random order (see NeighborScore.Build).
        var order = Enumerable.Range(0, count).ToArray();
        new Random(options.Seed).Shuffle(order);
        groups = groups.Select(g => order[g]).ToArray();
        Assert.AreEqual(11, count);   // 90 rows in at most 12 groups: ten of 8 rows, the last of 10
        Assert.AreEqual(count, trained.Neighbors!.Count);
        var input = Rows(standardized);
        var code = Rows(trained.Predict(training).Latent);
        // A prototype in the code is the code of its group's mean (standardized units, back to the original ones for Predict).
        double[] CodeOf(double[] standardizedRow) => Rows(trained.Predict(new FeatureMatrix(standardizedRow
            .Select((v, j) => (float)(v / trained.Standardizer.Scale[j] + trained.Standardizer.Mean[j])).ToArray(), 1, 6)).Latent)[0];
        var inputSpace = Space.Of(input, input, groups, count, mean => mean);
        var codeSpace = Space.Of(input, code, groups, count, CodeOf);

        // The stored input vectors are the groups' means (centred by their own mean).
        var stored = trained.Neighbors.Input;
        for (int g = 0; g < count; g++)
            for (int j = 0; j < 6; j++)
                Assert.AreEqual(inputSpace.Means[g][j], stored.Reference[g * 6 + j] + stored.Center[j], 1e-5, $"group {g}, feature {j}");
        CollectionAssert.AreEqual(inputSpace.Counts.Select(c => (float)c).ToArray(), stored.Counts);

        var queries = new FeatureMatrix(SyntheticData.Normal(20, 6, seed: 8).Values.Concat(SyntheticData.Anomalies(10, 6, seed: 9).Values)
            .Concat(training.Values.Take(6 * 10)).ToArray(), 40, 6);
        var queryInput = Rows(trained.Standardizer.Transform(queries));
        var queryCode = Rows(trained.Predict(queries).Latent);
        var expected = Enumerable.Range(0, 40).Select(i => inputSpace.Z(inputSpace.Distance(queryInput[i], 4)) + codeSpace.Z(codeSpace.Distance(queryCode[i], 4))).ToArray();
        var actual = trained.Score(queries);
        for (int i = 0; i < 40; i++)
            Assert.AreEqual(expected[i], actual[i], 2e-3, $"row {i}");
        // The statistics are the stored rows' leave-one-out distances: their scores average 0 in each part.
        Assert.AreEqual(inputSpace.LeaveOneOutMean, stored.Statistics.Mean, 1e-4);
        Assert.AreEqual(inputSpace.LeaveOneOutDeviation, stored.Statistics.Deviation, 1e-4);
        // Each training row's score as if it were new, for the threshold: its leave-one-out distances, standardized.
        Assert.HasCount(90, trained.LeaveOneOutScores);
        for (int i = 0; i < 90; i++)
            Assert.AreEqual(inputSpace.Z(inputSpace.LeaveOneOut[i]) + codeSpace.Z(codeSpace.LeaveOneOut[i]), trained.LeaveOneOutScores[i], 2e-3, $"training row {i}");

        var model = trained.ExportOnnx(1f);
        var onnx = Ort.Run(model.ToBytes(), queries, out _)[OnnxNames.Score];
        Floats.AssertClose(actual, onnx, Floats.ScoreRowVersusBatch, "ONNX Runtime vs TorchSharp score");
        StringAssert.Contains(model.Metadata[OnnxNames.ScoreKey], $"the 4 nearest of {count} prototypes (means of at least {inputSpace.Counts.Min()} of 90 training rows");
        StringAssert.Contains(model.Metadata[OnnxNames.ContentsKey], "no training row");
        OnnxChecker.AssertAccepts(model.ToBytes());
    }

    /// <summary>
    /// What the default detector's file holds: no stored vector is a training row once the standardization is undone
    /// (each prototype is a mean of at least three distinct rows); with stored training rows (opt-in) every one of them is.
    /// Checked on the model restored from the <c>mlContext.Model.Save</c> zip, the file that travels.
    /// </summary>
    [TestMethod]
    [DataRow(NeighborReference.Prototypes)]
    [DataRow(NeighborReference.TrainingRows)]
    public void SavedModel_HoldsTrainingRows_OnlyWhenAskedTo(NeighborReference reference)
    {
        var context = new MLContext(seed: 1);
        var rows = SyntheticData.Normal(300, 8, seed: 21);
        var data = FeatureRow.Load(context, FeatureRow.From(rows, false), 8);
        var options = new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 3, Seed = 2 };
        if (reference == NeighborReference.TrainingRows)
            options.Neighbors.Reference = NeighborReference.TrainingRows;
        using var fitted = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(data);
        using var zip = new MemoryStream();
        context.Model.Save(fitted, data.Schema, zip);
        zip.Position = 0;
        var loaded = (AutoencoderTransformer)new MLContext().Model.LoadWithAutoencoders(zip, out _);
        var graph = loaded.Model.Proto.Graph;
        float[] Values(string name) => MemoryMarshal.Cast<byte, float>(graph.Initializer.Single(t => t.Name == name).RawData.Span).ToArray();
        var (mean, scale) = (Values("standardizer_mean"), Values("standardizer_scale"));
        var (reference_, center) = (Values("input_reference"), Values("input_reference_center"));
        int stored = reference_.Length / 8;
        int matched = 0;
        for (int s = 0; s < stored; s++)
        {
            // Back to the original units: standardized = (x − mean) · scale.
            var vector = Enumerable.Range(0, 8).Select(j => (reference_[s * 8 + j] + center[j]) / scale[j] + mean[j]).ToArray();
            bool isRow = Enumerable.Range(0, rows.Rows).Any(r => Enumerable.Range(0, 8).All(j => Math.Abs(vector[j] - rows.Row(r)[j]) <= 1e-4 * Math.Max(1, Math.Abs(rows.Row(r)[j]))));
            matched += isRow ? 1 : 0;
        }
        string contents = loaded.Model.Metadata[OnnxNames.ContentsKey];
        if (reference == NeighborReference.Prototypes)
        {
            Assert.AreEqual(0, matched, $"{matched} of {stored} stored vectors are training rows");
            Assert.IsLessThanOrEqualTo(100, stored);
            StringAssert.Contains(contents, "no training row");
        }
        else
        {
            Assert.AreEqual(stored, matched, "every stored vector is a training row");
            Assert.AreEqual(300, stored);
            StringAssert.Contains(contents, "the training data can be read back from this file");
        }
    }

    /// <summary>
    /// Per row (ML.NET's own loader, one ONNX Runtime call per row) and batched scores agree on data with exact and near
    /// duplicates, where the fast distance formula alone cancels: candidates are re-ranked by exact differences.
    /// </summary>
    [TestMethod]
    [DataRow(NeighborReference.Prototypes)]
    [DataRow(NeighborReference.TrainingRows)]
    public void PerRowAndBatchedScores_Agree_OnDuplicatedRows(NeighborReference reference)
    {
        var context = new MLContext(seed: 1);
        var distinct = SyntheticData.Normal(150, 10, seed: 31);
        var random = new Random(5);
        var rows = new List<float[]>();
        for (int r = 0; r < 150; r++)
            rows.Add(distinct.Row(r).ToArray());
        for (int r = 0; r < 150; r++)   // exact duplicates of ten rows, and rows a millionth away from them
        {
            var copy = distinct.Row(r % 10).ToArray();
            if (r % 2 == 1)
                for (int j = 0; j < copy.Length; j++)
                    copy[j] *= 1 + 1e-6f * (float)(random.NextDouble() - 0.5);
            rows.Add(copy);
        }
        var data = FeatureRow.Load(context, rows.Select(f => new FeatureRow { Features = f }), 10);
        var options = new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 5, Seed = 3 };
        options.Neighbors.Reference = reference;
        using var fitted = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(data);
        var test = FeatureRow.Load(context, rows.Concat(FeatureRow.From(SyntheticData.Anomalies(20, 10, seed: 32), true).Select(r => r.Features))
            .Select(f => new FeatureRow { Features = f }), 10);
        var batched = fitted.Transform(test).GetColumn<float>("Score").ToArray();
        using var zip = new MemoryStream();
        context.Model.Save(fitted, data.Schema, zip);
        zip.Position = 0;
        var perRow = new MLContext().Model.Load(zip, out _).Transform(test).GetColumn<float>("Score").ToArray();
        Floats.AssertClose(batched, perRow, Floats.ScoreRowVersusBatch, "score");
    }

    private static void TorchNativeLibraryLoaded() => Autoencoders.Training.Native.TorchNativeLibrary.EnsureLoaded();

    private static double[][] Rows(FeatureMatrix matrix) =>
        Enumerable.Range(0, matrix.Rows).Select(r => matrix.Row(r).ToArray().Select(v => (double)v).ToArray()).ToArray();

    /// <summary>
    /// One space by the definition: each group's stored vector (the view <c>view</c> of its members' mean input), spread
    /// (the members' mean squared distance to it) and count; a row's squared distance to a group is ‖x − c‖² + ½ spread;
    /// and the members' leave-one-out distances (the own group's vector, spread and count made without the row).
    /// </summary>
    private sealed class Space
    {
        public required double[][] Means { get; init; }
        public required double[] Spreads { get; init; }
        public required int[] Counts { get; init; }
        public double[] LeaveOneOut { get; private set; } = [];
        public double LeaveOneOutMean { get; private set; }
        public double LeaveOneOutDeviation { get; private set; }

        public static Space Of(double[][] inputs, double[][] vectors, int[] groups, int count, Func<double[], double[]> view)
        {
            var counts = new int[count];
            foreach (int g in groups)
                counts[g]++;
            double[] MeanInput(IEnumerable<int> members) =>
                Enumerable.Range(0, inputs[0].Length).Select(j => members.Average(r => inputs[r][j])).ToArray();
            var means = Enumerable.Range(0, count).Select(g => view(MeanInput(Enumerable.Range(0, inputs.Length).Where(r => groups[r] == g)))).ToArray();
            var spreads = Enumerable.Range(0, count).Select(g => Enumerable.Range(0, vectors.Length).Where(r => groups[r] == g).Average(r => Square(vectors[r], means[g]))).ToArray();
            var space = new Space { Means = means, Spreads = spreads, Counts = counts };
            var loo = Enumerable.Range(0, vectors.Length).Select(i =>
            {
                var others = Enumerable.Range(0, vectors.Length).Where(r => r != i && groups[r] == groups[i]).ToList();
                var ownMean = view(MeanInput(others));
                double ownSpread = others.Average(r => Square(vectors[r], ownMean));
                var entries = Enumerable.Range(0, count).Select(g => g == groups[i]
                    ? (Square(vectors[i], ownMean) + 0.5 * ownSpread, others.Count)
                    : (Square(vectors[i], means[g]) + 0.5 * spreads[g], counts[g]));
                return MeanOfNearest(entries, 4);
            }).ToArray();
            space.LeaveOneOut = loo;
            space.LeaveOneOutMean = loo.Average();
            space.LeaveOneOutDeviation = Math.Sqrt(loo.Average(v => (v - space.LeaveOneOutMean) * (v - space.LeaveOneOutMean)));
            return space;
        }

        public double Distance(double[] x, int k) =>
            MeanOfNearest(Enumerable.Range(0, Means.Length).Select(g => (Square(x, Means[g]) + 0.5 * Spreads[g], Counts[g])), k);

        public double Z(double distance) => (distance - LeaveOneOutMean) / LeaveOneOutDeviation;

        /// <summary>The mean distance to the k nearest rows: groups in order of squared distance, each counted up to its members.</summary>
        private static double MeanOfNearest(IEnumerable<(double Square, int Members)> entries, int k)
        {
            double sum = 0;
            int taken = 0;
            foreach (var (square, members) in entries.OrderBy(e => e.Square))
            {
                int take = Math.Min(members, k - taken);
                sum += take * Math.Sqrt(square);
                taken += take;
                if (taken == k)
                    break;
            }
            return sum / taken;
        }

        private static double Square(double[] a, double[] b) => a.Zip(b, (u, v) => (u - v) * (u - v)).Sum();
    }
}
