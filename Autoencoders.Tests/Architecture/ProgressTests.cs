using Autoencoders.ML;
using Autoencoders.Tests.ML;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.Tests.Architecture;

/// <summary>Training reports each epoch on the MLContext's channel, as ML.NET's own trainers do.</summary>
[TestClass]
public sealed class ProgressTests
{
    [TestMethod]
    public void EachEpoch_IsReportedOnMLContextLog_AndToTheCallback()
    {
        var context = new MLContext(seed: 1);
        var messages = new List<LoggingEventArgs>();
        context.Log += (_, e) => { lock (messages) messages.Add(e); };
        var (train, _) = AnomalyDetectionTests.Split(context);
        int callbacks = 0;
        context.AnomalyDetection.Trainers.Autoencoder(new() { NumberOfEpochs = 3, Seed = 1, ValidationFraction = 0.2, Progress = _ => callbacks++ }).Fit(train);

        var epochs = messages.Where(m => m.Kind == ChannelMessageKind.Info && m.RawMessage.StartsWith("Epoch ", StringComparison.Ordinal)).ToList();
        Assert.HasCount(3, epochs);
        StringAssert.StartsWith(epochs[0].RawMessage, "Epoch 1/3: training loss ");
        StringAssert.Contains(epochs[0].RawMessage, "validation loss");
        StringAssert.Contains(epochs[0].RawMessage, "rows/s");
        StringAssert.Contains(epochs[2].RawMessage, "at most 0 s left");
        Assert.AreEqual(3, callbacks);
        Assert.IsTrue(messages.Any(m => m.RawMessage.StartsWith("Trained ", StringComparison.Ordinal)));
    }
}
