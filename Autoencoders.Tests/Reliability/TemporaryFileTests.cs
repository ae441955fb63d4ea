using Autoencoders.ML;
using Autoencoders.Tests.ML;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Reliability;

/// <summary>
/// No temporary file outlives its use: fitting, changing thresholds and applying a model need none; saving and loading
/// (ML.NET's ONNX transformer reads models from files) clean up theirs. An unwritable temporary folder is named in the
/// error of the steps that need it, and the others keep working.
/// </summary>
[TestClass]
public sealed class TemporaryFileTests
{
    [TestMethod]
    public void FitThresholdSaveLoad_LeaveNoTemporaryFile()
    {
        string folder = Directory.CreateTempSubdirectory("autoencoders-temp").FullName;
        try
        {
            var context = new MLContext(seed: 1) { TempFilePath = folder };
            var (train, test) = AnomalyDetectionTests.Split(context);
            using var model = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
            for (int i = 0; i < 50; i++)
                using (var changed = model.WithThreshold(i))
                    _ = changed.Transform(test).GetColumn<float>("Score").Count();
            using var zip = new MemoryStream();
            context.Model.Save(model, train.Schema, zip);
            zip.Position = 0;
            var loaded = context.Model.LoadWithAutoencoders(zip, out _);
            _ = loaded.Transform(test).GetColumn<float>("Score").Count();
            (loaded as IDisposable)?.Dispose();
            using var onnx = new MemoryStream();
            model.SaveOnnx(onnx);
            onnx.Position = 0;
            using var applied = context.Transforms.ApplyAutoencoder(onnx).Fit(test);
            Assert.IsEmpty(Directory.GetFiles(folder), string.Join(", ", Directory.GetFiles(folder)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void UnwritableTemporaryFolder_IsNamed_WhereItIsNeeded_AndOtherwiseUnused()
    {
        // A folder below a regular file: no process can create or write it, root included.
        string file = Path.GetTempFileName();
        string folder = Path.Combine(file, "nested");
        try
        {
            CheckUnwritableFolder(folder);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void CheckUnwritableFolder(string folder)
    {
        var context = new MLContext(seed: 1) { TempFilePath = folder };
        var (train, test) = AnomalyDetectionTests.Split(context);
        using var model = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        using var changed = model.WithThreshold(1);
        using var onnx = new MemoryStream();
        model.SaveOnnx(onnx);
        onnx.Position = 0;
        using var applied = context.Transforms.ApplyAutoencoder(onnx).Fit(test);
        Assert.AreEqual(model.Threshold, applied.Threshold);

        using var zip = new MemoryStream();
        // ML.NET's own Save needs the folder for any model (its repository writer): its error names the path.
        var saveError = Assert.Throws<IOException>(() => context.Model.Save(model, train.Schema, zip));
        StringAssert.Contains(saveError.Message, folder);
        var good = new MLContext(seed: 1);
        onnx.Position = 0;
        using (var fromGoodContext = good.Transforms.ApplyAutoencoder(onnx).Fit(test))
            good.Model.Save(fromGoodContext, test.Schema, zip);
        zip.Position = 0;
        var loadError = Assert.ThrowsExactly<IOException>(() => context.Model.LoadWithAutoencoders(zip, out _));
        StringAssert.Contains(loadError.Message, folder);
        StringAssert.Contains(loadError.Message, "TempFilePath");
    }
}
