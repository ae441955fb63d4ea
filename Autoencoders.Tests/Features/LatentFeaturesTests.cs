using Autoencoders.ML;
using Autoencoders.ML.Features;
using Autoencoders.ML.Scoring;
using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Tests.Features;

[TestClass]
public sealed class LatentFeaturesTests
{
    private sealed class LabeledRow
    {
        [VectorType(12)] public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    private sealed class ClassPrediction
    {
        public uint PredictedLabel { get; set; }
    }

    /// <summary>Three classes: rows near three different points of the low-rank subspace of <see cref="SyntheticData.Normal"/>.</summary>
    private static List<LabeledRow> Classes(int rows, int seed)
    {
        var data = SyntheticData.Normal(rows, 12, seed);
        var random = new Random(seed + 100);
        return Enumerable.Range(0, rows).Select(r =>
        {
            uint label = (uint)random.Next(3);
            return new LabeledRow { Features = data.Row(r).ToArray().Select((v, c) => v + 4f * (label == c % 3 ? 1 : 0)).ToArray(), Label = label + 1 };
        }).ToList();
    }

    [TestMethod]
    public void LatentFeatures_FeedAnMLNetTrainer_AndTheWholePipelineSavesAndLoads()
    {
        var context = new MLContext(seed: 1);
        var train = context.Data.LoadFromEnumerable(Classes(600, 1));
        var test = context.Data.LoadFromEnumerable(Classes(300, 2));
        var pipeline = context.Transforms.ExtractLatentFeatures("Code", "Features", latentSize: 4, numberOfEpochs: 30, seed: 1)
            .Append(context.Transforms.Conversion.MapValueToKey("Key", "Label"))
            .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy("Key", "Code"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(test);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 4), scored.Schema["Code"].Type);
        var metrics = context.MulticlassClassification.Evaluate(scored, "Key");
        Assert.IsGreaterThan(0.9, metrics.MacroAccuracy, $"macro accuracy {metrics.MacroAccuracy:F3}");

        using var stream = new MemoryStream();
        context.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        Floats.AssertClose(scored.GetColumn<float[]>("Code").SelectMany(v => v), loaded.Transform(test).GetColumn<float[]>("Code").SelectMany(v => v));
    }

    [TestMethod]
    public void ApplyAutoencoder_FeaturizesWithAModelTrainedEarlier()
    {
        var context = new MLContext(seed: 1);
        var train = context.Data.LoadFromEnumerable(Classes(200, 1));
        var featurizer = context.Transforms.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options { LatentSize = 3, NumberOfEpochs = 3, Seed = 1 }).Fit(train);
        using var onnx = new MemoryStream();
        featurizer.SaveOnnx(onnx);
        onnx.Position = 0;
        var applied = context.Transforms.ApplyAutoencoder(onnx, new AutoencoderScoringOptions { LatentColumnName = "LatentFeatures", ScoreColumnName = null, PredictedLabelColumnName = null }).Fit(train);
        CollectionAssert.AreEqual(featurizer.Transform(train).GetColumn<float[]>("LatentFeatures").SelectMany(v => v).ToList(),
            applied.Transform(train).GetColumn<float[]>("LatentFeatures").SelectMany(v => v).ToList());
    }

    [TestMethod]
    public void LinearAutoencoder_SpansThePrincipalSubspace()
    {
        // No hidden layers: encoder and decoder are single linear maps. Trained to convergence, the decoder's columns
        // span the top-k principal subspace of the (standardized) data: every principal angle close to zero.
        var data = SyntheticData.Normal(500, 10, seed: 1, rank: 3, noise: 0.3);
        var options = new TrainerOptions
        {
            HiddenLayerSizes = [], LatentSize = 3,
            NumberOfEpochs = 400,
            BatchSize = 64,
            LearningRate = 1e-2,
            Seed = 1,
        };
        using var trained = new AutoencoderTrainer(options).Fit(data);
        Assert.HasCount(1, ((DenseAutoencoder)trained.Model).DecoderLayers);

        TorchNativeLibrary.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var standardized = torch.tensor(trained.Standardizer.Transform(data).Values, [data.Rows, data.Columns]);
        var (_, singular, vt) = torch.linalg.svd(standardized - standardized.mean([0L], keepdim: true), fullMatrices: false);
        var principal = vt.narrow(0, 0, 3).t();                                           // d × k
        var decoder = ((TorchSharp.Modules.Linear)((DenseAutoencoder)trained.Model).DecoderLayers[0].Module).weight!.detach(); // d × k
        var (q, _) = torch.linalg.qr(decoder);
        var cosines = torch.linalg.svdvals(q.t().matmul(principal));                      // cosines of the principal angles
        float smallest = cosines.min().item<float>();
        Console.WriteLine($"principal-angle cosines: {string.Join(", ", cosines.data<float>().ToArray().Select(c => c.ToString("F5")))}; singular values {string.Join(", ", singular.data<float>().ToArray().Take(5).Select(v => v.ToString("F1")))}");
        Assert.IsGreaterThan(0.995f, smallest, $"largest principal angle {Math.Acos(Math.Min(1, smallest)) * 180 / Math.PI:F2}°");
    }
}
