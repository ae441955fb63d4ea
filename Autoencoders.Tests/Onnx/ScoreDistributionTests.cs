using Autoencoders.Tests.Support;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Onnx.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using DataType = Autoencoders.Training.Onnx.Proto.TensorProto.Types.DataType;

namespace Autoencoders.Tests.Onnx;

/// <summary>The graph's Probability output (the share of training scores at or below a score), counted in blocks of quantiles.</summary>
[TestClass]
public sealed class ScoreDistributionTests
{
    // A graph whose Score is its input, with the distribution of `scores` added.
    private static ModelProto WithScores(float[] scores)
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "scores" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = AutoencoderOnnxExporter.OpsetVersion });
        model.Graph.Input.Add(OnnxGraphBuilder.TensorInfo(OnnxNames.Features, DataType.Float, OnnxNames.BatchDimension));
        // Named like the builder's generated names, so that the Probability nodes must avoid them.
        foreach (var (name, input, output) in new[] { ("node_Identity_0", OnnxNames.Features, "unsqueeze_0"), ("node_Identity_1", "unsqueeze_0", OnnxNames.Score) })
            model.Graph.Node.Add(new NodeProto { OpType = "Identity", Name = name, Input = { input }, Output = { output } });
        model.Graph.Output.Add(OnnxGraphBuilder.TensorInfo(OnnxNames.Score, DataType.Float, OnnxNames.BatchDimension));
        return ScoreDistribution.With(model, scores, null);
    }

    private static float[] Probabilities(ModelProto model, float[] queries)
    {
        using var session = new InferenceSession(model.ToByteArray());
        using var input = OrtValue.CreateTensorValueFromMemory(queries, [queries.Length]);
        using var options = new RunOptions();
        using var outputs = session.Run(options, [OnnxNames.Features], [input], [OnnxNames.Probability]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(127)]
    [DataRow(128)]      // one full block
    [DataRow(129)]      // a second block of one
    [DataRow(3000)]
    [DataRow(25000)]    // more than MaxQuantiles: 10,001 order statistics kept
    public void Probability_IsTheShareOfQuantilesAtOrBelow(int count)
    {
        var random = new Random(count);
        var scores = Enumerable.Range(0, count).Select(_ => (float)Math.Round(random.NextDouble() * 20, 1)).ToArray();   // many ties
        var model = WithScores(scores);
        var quantiles = ScoreDistribution.ReadTraining(model)!;
        if (count <= ScoreDistribution.MaxQuantiles)
            CollectionAssert.AreEqual(scores.Order().ToArray(), quantiles);
        else
            Assert.HasCount(ScoreDistribution.MaxQuantiles, quantiles);
        OnnxChecker.AssertAccepts(model.ToByteArray(), "score distribution graph");

        var queries = quantiles.SelectMany(q => new[] { q, MathF.BitDecrement(q), MathF.BitIncrement(q) })
            .Concat([quantiles[0] - 1, quantiles[^1] + 1, float.PositiveInfinity, float.NegativeInfinity, float.NaN]).ToArray();
        var actual = Probabilities(model, queries);
        for (int i = 0; i < queries.Length; i++)
            Assert.AreEqual(quantiles.Count(q => q <= queries[i]) / (float)quantiles.Length, actual[i], 1e-6, $"score {queries[i]}");

        // A second distribution replaces the first; the nodes stay.
        var again = ScoreDistribution.With(model, [1f, 2f, 3f], null);
        Assert.AreEqual(model.Graph.Node.Count, again.Graph.Node.Count);
        CollectionAssert.AreEqual(new[] { 0f, 1 / 3f, 2 / 3f, 1f, 1f }, Probabilities(again, [0.5f, 1f, 2.5f, 3f, float.PositiveInfinity]));
    }
}
