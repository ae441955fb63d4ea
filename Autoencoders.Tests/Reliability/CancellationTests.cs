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

    // Cancels (through `cancel`) once the second epoch's progress line is logged, and counts the epochs logged after that:
    // no timer, so a fast machine cannot finish the 2,000 epochs first and a slow one still cancels mid-training. An epoch
    // may still be logged after it (one was, once, with MLContext's cancel; the handler may run behind the training).
    private static Func<int> CancelAtSecondEpoch(MLContext context, Action cancel)
    {
        int after = -1;
        context.Log += (_, e) =>
        {
            if (!e.Message.Contains("Epoch ", StringComparison.Ordinal))
                return;
            if (after >= 0)
                after++;
            else if (e.Message.Contains("Epoch 2/", StringComparison.Ordinal))
            {
                after = 0;
                cancel();
            }
        };
        return () => after;
    }

    [TestMethod]
    public void MLContextCancelExecution_StopsFit()
    {
        var (context, data) = Data();
        var estimator = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 2000, Seed = 1 });
        var epochsAfter = CancelAtSecondEpoch(context, () => InteropTests.CancelExecution(context));
        Assert.ThrowsExactly<OperationCanceledException>(() => estimator.Fit(data));
        Assert.IsLessThanOrEqualTo(2, epochsAfter(), "training stops within an epoch or two of the 2,000");
    }

    [TestMethod]
    public void OptionsToken_StopsFit_AndAnUncancelledTokenDoesNot()
    {
        var (context, data) = Data();
        using var source = new CancellationTokenSource();
        var epochsAfter = CancelAtSecondEpoch(context, source.Cancel);
        var options = new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 2000, Seed = 1, CancellationToken = source.Token };
        Assert.ThrowsExactly<OperationCanceledException>(() => context.AnomalyDetection.Trainers.Autoencoder(options).Fit(data));
        Assert.IsLessThanOrEqualTo(2, epochsAfter(), "training stops within an epoch or two of the 2,000");

        using var idle = new CancellationTokenSource();
        var model = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 2, Seed = 1, CancellationToken = idle.Token }).Fit(data);
        Assert.HasCount(2, model.Training!.History);
    }
}
