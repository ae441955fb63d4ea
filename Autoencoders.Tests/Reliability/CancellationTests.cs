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

    [TestMethod]
    public void MLContextCancelExecution_StopsFit()
    {
        var (context, data) = Data();
        var estimator = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 150, Seed = 1 });
        var clock = Stopwatch.StartNew();
        using var timer = new Timer(_ => InteropTests.CancelExecution(context), null, 1000, Timeout.Infinite);
        Assert.ThrowsExactly<OperationCanceledException>(() => estimator.Fit(data));
        Assert.IsLessThan(20_000, clock.ElapsedMilliseconds, "150 epochs of 4,000 rows take far longer than cancelling");
    }

    [TestMethod]
    public void OptionsToken_StopsFit_AndAnUncancelledTokenDoesNot()
    {
        var (context, data) = Data();
        using var source = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var options = new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 150, Seed = 1, CancellationToken = source.Token };
        Assert.ThrowsExactly<OperationCanceledException>(() => context.AnomalyDetection.Trainers.Autoencoder(options).Fit(data));

        using var idle = new CancellationTokenSource();
        var model = context.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 2, Seed = 1, CancellationToken = idle.Token }).Fit(data);
        Assert.HasCount(2, model.Training!.History);
    }
}
