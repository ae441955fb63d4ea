using System.Diagnostics;
using Autoencoders.ML;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.Tests.Architecture;
using Autoencoders.Tests.Support;
using Microsoft.ML;

namespace Autoencoders.Tests.Reliability;

/// <summary>A long Fit stops between minibatches when the MLContext or the options' token is cancelled.</summary>
[TestClass]
public sealed class CancellationTests
{
    private static (MLContext Context, IDataView Data) Data()
    {
        var context = new MLContext(seed: 1);
        return (context, FeatureRow.Load(context, FeatureRow.From(SyntheticData.Normal(4000, 20, seed: 1), false), 20));
    }

    // Cancels (through `cancel`) once the second epoch's progress line is logged, and counts the epochs logged after that
    // and times them: no timer, so a fast machine cannot finish the 2,000 epochs first and a slow one still cancels
    // mid-training.
    private static (Func<int> EpochsAfter, Stopwatch SinceCancel) CancelAtSecondEpoch(MLContext context, Action cancel)
    {
        int after = -1;
        var since = new Stopwatch();
        context.Log += (_, e) =>
        {
            if (!e.Message.Contains("Epoch ", StringComparison.Ordinal))
                return;
            if (after >= 0)
                after++;
            else if (e.Message.Contains("Epoch 2/", StringComparison.Ordinal))
            {
                after = 0;
                since.Start();
                cancel();
            }
        };
        return (() => after, since);
    }

    [TestMethod]
    public void MLContextCancelExecution_StopsFit()
    {
        var (context, data) = Data();
        var estimator = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 2000, Seed = 1 });
        var (_, sinceCancel) = CancelAtSecondEpoch(context, () => InteropTests.CancelExecution(context));
        Assert.ThrowsExactly<OperationCanceledException>(() => estimator.Fit(data));
        // ML.NET keeps the MLContext's flag internal: Fit polls it every 50 ms (EnvironmentCancellation), so some epochs
        // of ~4 ms run after the cancel (39 once, in CI); the stop comes within the poll, not within an epoch.
        Assert.IsLessThan(5_000, sinceCancel.ElapsedMilliseconds, "training stops soon after the MLContext is cancelled, long before its 2,000 epochs");
    }

    [TestMethod]
    public void OptionsToken_StopsFit_AndAnUncancelledTokenDoesNot()
    {
        var (context, data) = Data();
        using var source = new CancellationTokenSource();
        var (epochsAfter, _) = CancelAtSecondEpoch(context, source.Cancel);
        var options = new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 2000, Seed = 1, CancellationToken = source.Token };
        Assert.ThrowsExactly<OperationCanceledException>(() => context.AnomalyDetection.Trainers.Autoencoder(options).Fit(data));
        Assert.IsLessThanOrEqualTo(2, epochsAfter(), "the token is checked between minibatches: training stops within an epoch or two of the 2,000");

        using var idle = new CancellationTokenSource();
        var model = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 2, Seed = 1, CancellationToken = idle.Token }).Fit(data);
        Assert.HasCount(2, model.Training!.History);
    }
}
