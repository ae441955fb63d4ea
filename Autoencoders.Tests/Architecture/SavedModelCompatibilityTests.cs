using System.Globalization;
using Autoencoders.ML;
using Autoencoders.ML.Scoring;
using Autoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Architecture;

/// <summary>Models saved by version 0.1.0 (TestData/saved-0.1.0) keep loading, with the scores that version gave.</summary>
[TestClass]
public sealed class SavedModelCompatibilityTests
{
    private const string Folder = "TestData/saved-0.1.0";

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    private static (IDataView Data, float[] Scores, bool[] Labels, float[][] Codes) Expected(MLContext context)
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, "rows.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        float F(string s) => float.Parse(s, CultureInfo.InvariantCulture);
        var rows = lines.Select(l => new Row { Features = l[1..9].Select(F).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 8);
        return (context.Data.LoadFromEnumerable(rows, schema), lines.Select(l => F(l[9])).ToArray(), lines.Select(l => l[10] == "1").ToArray(),
            lines.Select(l => l[11..].Select(F).ToArray()).ToArray());
    }

    [TestMethod]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void ModelSavedBy010_LoadsWithBothLoaders_AndScoresAsItDid()
    {
        var context = new MLContext(seed: 1);
        var (data, scores, labels, codes) = Expected(context);

        var batched = context.Model.LoadWithAutoencoders(Path.Combine(Folder, "model.zip"), out var schema);
        Assert.IsNotNull(schema.GetColumnOrNull("Features"));
        var output = batched.Transform(data);
        CollectionAssert.AreEqual(scores, output.GetColumn<float>("Score").ToArray());
        CollectionAssert.AreEqual(labels, output.GetColumn<bool>("PredictedLabel").ToArray());
        var actualCodes = output.GetColumn<float[]>("Code").ToArray();
        for (int i = 0; i < codes.Length; i++)
            CollectionAssert.AreEqual(codes[i], actualCodes[i]);

        // ML.NET's own loader parses the 0.1.0 file's threshold text (an Expression) with the current culture: such a
        // file needs a culture with a decimal point there (README, "Saved models and ONNX"). Files saved now hold no text.
        var culture = CultureInfo.CurrentCulture;
        ITransformer plain;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            plain = new MLContext().Model.Load(Path.Combine(Folder, "model.zip"), out _);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
        Floats.AssertClose(scores, plain.Transform(data).GetColumn<float>("Score"), Floats.ScoreRowVersusBatch, what: "score");

        var onnx = context.Transforms.ApplyAutoencoder(Path.Combine(Folder, "model.onnx")).Fit(data);
        CollectionAssert.AreEqual(scores, onnx.Transform(data).GetColumn<float>("Score").ToArray());
    }

    [TestMethod]
    public void ModelSavedBy010_SavesAgainInTheNewForm()
    {
        var context = new MLContext(seed: 1);
        var (data, scores, labels, _) = Expected(context);
        var batched = context.Model.LoadWithAutoencoders(Path.Combine(Folder, "model.zip"), out var schema);
        using var stream = new MemoryStream();
        context.Model.Save(batched, schema, stream);
        stream.Position = 0;
        var again = new MLContext().Model.LoadWithAutoencoders(stream, out _);
        CollectionAssert.AreEqual(scores, again.Transform(data).GetColumn<float>("Score").ToArray());
        CollectionAssert.AreEqual(labels, again.Transform(data).GetColumn<bool>("PredictedLabel").ToArray());
    }
}
