using System.Reflection;
using Autoencoders.ML;
using Autoencoders.ML.Interop;
using Autoencoders.Tests.ML;
using Microsoft.ML;

namespace Autoencoders.Tests.Architecture;

/// <summary>Everything this library takes from ML.NET's non-public surface, exercised in one place (see MLNetInternals).</summary>
[TestClass]
public sealed class InteropTests
{
    [TestMethod]
    public void EveryMLNetInternal_ResolvesOnThisVersion()
    {
        var context = new MLContext(seed: 1);
        MLNetInternals.Verify(context);

        // The saved-model layout: an anomaly stage's ONNX model is found, with its place in the chain.
        var (train, _) = AnomalyDetectionTests.Split(context);
        var model = context.AnomalyDetection.Trainers.Autoencoder(new() { NumberOfEpochs = 1, Seed = 1 }).Fit(train);
        using var stream = new MemoryStream();
        context.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var saved = MLNetInternals.OnnxModelsIn(stream).Single();
        Assert.IsNotEmpty(saved.Bytes);
        Assert.IsTrue(Autoencoders.Training.Onnx.AutoencoderOnnxModel.TryFromRowGraph(saved.Bytes, out var restored, out _));
        Assert.AreEqual(model.Threshold, restored.Threshold);
    }

    [TestMethod]
    public void ContextSettings_AreReadFromTheEnvironment()
    {
        var context = new MLContext(seed: 1) { GpuDeviceId = 3, TempFilePath = "/some/folder" };
        var environment = MLNetInternals.EnvironmentOf(context.Transforms);
        Assert.AreEqual(3, MLNetInternals.GpuDeviceId(environment));
        Assert.AreEqual("/some/folder", MLNetInternals.TempFilePath(environment));
        Assert.IsFalse(MLNetInternals.IsCanceled(environment));
        CancelExecution(context);
        Assert.IsTrue(MLNetInternals.IsCanceled(environment));
    }

    /// <summary><c>MLContext.CancelExecution</c> is internal in ML.NET 5: called as ML.NET's own components would.</summary>
    internal static void CancelExecution(MLContext context) =>
        typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.Invoke(context, null);
}
