using System.Globalization;
using Autoencoders.ML;
using Autoencoders.Tests.ML;
using Autoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Reliability;

/// <summary>
/// The key paths under cultures whose decimal separator is a comma (de-DE) or whose casing rules differ (tr-TR): fit,
/// threshold change, save, both loaders, ApplyAutoencoder. Before 0.2 every one of them threw FormatException under de-DE
/// (the threshold was text in an ML.NET Expression, parsed with the current culture).
/// </summary>
[TestClass]
public sealed class CultureTests
{
    [TestMethod]
    [DataRow("de-DE")]
    [DataRow("tr-TR")]
    [DataRow("fr-FR")]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void KeyPaths_WorkUnderCulture(string name)
    {
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);
            Assert.AreEqual(",", CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator, "each culture here writes decimals with a comma");
            var context = new MLContext(seed: 1);
            var (train, test) = AnomalyDetectionTests.Split(context);
            var model = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
            var expected = model.Transform(test).GetColumn<float>("Score").ToArray();
            var changed = model.WithThreshold(1.2345678f);
            Assert.AreEqual(1.2345678f, changed.Threshold);

            using var zip = new MemoryStream();
            context.Model.Save(changed, train.Schema, zip);
            zip.Position = 0;
            var plain = new MLContext().Model.Load(zip, out _);
            var plainOut = plain.Transform(test);
            Floats.AssertClose(expected, plainOut.GetColumn<float>("Score"), Floats.ScoreRowVersusBatch, what: "score");
            CollectionAssert.AreEqual(expected.Select(s => s > 1.2345678f).ToArray(), plainOut.GetColumn<bool>("PredictedLabel").ToArray());

            zip.Position = 0;
            var batched = new MLContext().Model.LoadWithAutoencoders(zip, out _);
            CollectionAssert.AreEqual(expected, batched.Transform(test).GetColumn<float>("Score").ToArray());

            using var onnx = new MemoryStream();
            changed.SaveOnnx(onnx);
            onnx.Position = 0;
            var applied = context.Transforms.ApplyAutoencoder(onnx).Fit(test);
            Assert.AreEqual(1.2345678f, applied.Threshold);
            Assert.AreEqual("1.2345678", applied.Model.Metadata[Autoencoders.Training.Onnx.OnnxNames.ThresholdKey]);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
        }
    }

    [TestMethod]
    [TestCategory("KeyPaths")] // run again by .ci/run under LANG=de_DE.UTF-8 and tr_TR.UTF-8
    public void ModelSavedBy010_LoadsWithAutoencoders_UnderCommaCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var model = new MLContext().Model.LoadWithAutoencoders("TestData/saved-0.1.0/model.zip", out var schema);
            Assert.IsNotNull(schema.GetColumnOrNull("Features"));
            Assert.IsInstanceOfType<Autoencoders.ML.Scoring.AutoencoderTransformer>(model);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
