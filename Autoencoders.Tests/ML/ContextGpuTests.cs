using Autoencoders.ML;
using Autoencoders.ML.Scoring;
using Autoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.ML;

/// <summary>
/// The GPU asked for on the MLContext (<c>MLContext.GpuDeviceId</c>, <c>FallbackToCpu</c>), on a machine without CUDA and
/// with the CPU-only ONNX Runtime (this test project's): loading, scoring and training fall back to CPU with one warning
/// and the CPU's scores, or fail with a clear error without fallback. The GPU build of ONNX Runtime is exercised the same
/// way by the package tests.
/// </summary>
[TestClass]
public sealed class ContextGpuTests
{
    private static (MLContext Context, List<string> Warnings) GpuContext(bool fallback)
    {
        var context = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = fallback };
        var warnings = new List<string>();
        context.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning && e.Message.Contains("GPU", StringComparison.Ordinal)) warnings.Add(e.Message); };
        return (context, warnings);
    }

    [TestMethod]
    public void ContextGpu_Loading_FallsBackOnce_WithTheCpusScores_OrFailsClearly()
    {
        var cpu = new MLContext(seed: 1);
        var (train, test) = AnomalyDetectionTests.Split(cpu);
        using var fitted = cpu.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        var expected = fitted.Transform(test).GetColumn<float>("Score").ToArray();
        using var zip = new MemoryStream();
        cpu.Model.Save(fitted, train.Schema, zip);

        var (context, warnings) = GpuContext(fallback: true);
        zip.Position = 0;
        var loaded = context.Model.LoadWithAutoencoders(zip, out _);
        CollectionAssert.AreEqual(expected, loaded.Transform(test).GetColumn<float>("Score").ToArray());
        Assert.IsNull(((AutoencoderTransformer)loaded).ScoringGpuDeviceId);
        Assert.HasCount(1, warnings, string.Join("\n", warnings));
        StringAssert.Contains(warnings[0], "GPU scoring on device 0 is not available");
        Assert.AreEqual(0, context.GpuDeviceId, "the context's own setting is left as it was");

        var (strict, _) = GpuContext(fallback: false);
        zip.Position = 0;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => strict.Model.LoadWithAutoencoders(zip, out _));
        StringAssert.Contains(error.Message, "GPU scoring on device 0 is not available");
        StringAssert.Contains(error.Message, "FallbackToCpu");
        Assert.AreEqual(0, strict.GpuDeviceId);
    }

    [TestMethod]
    public void ContextGpu_Training_WarnsOnce_AndScoresOnCpu()
    {
        var (context, warnings) = GpuContext(fallback: true);
        var (train, test) = AnomalyDetectionTests.Split(context);
        using var fitted = context.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(train);
        Assert.IsNull(fitted.ScoringGpuDeviceId);
        Assert.HasCount(1, warnings, string.Join("\n", warnings));

        var cpu = new MLContext(seed: 1);
        using var reference = cpu.AnomalyDetection.Trainers.Autoencoder(AnomalyDetectionTests.FastOptions()).Fit(AnomalyDetectionTests.Split(cpu).Train);
        CollectionAssert.AreEqual(reference.Transform(test).GetColumn<float>("Score").ToArray(), fitted.Transform(test).GetColumn<float>("Score").ToArray(),
            "the same seed trains the same model; the scores are the CPU's");
    }
}
