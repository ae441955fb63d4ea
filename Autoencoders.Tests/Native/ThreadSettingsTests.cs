using System.Runtime.InteropServices;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using Autoencoders.Training.Trainers;
using TorchSharp;

namespace Autoencoders.Tests.Native;

/// <summary>
/// The process-wide settings a fit makes for a busy machine: libtorch's OpenMP spin count, set in the native environment
/// before libtorch loads, and the intra-op thread count chosen by network size.
/// </summary>
[TestClass]
public sealed class ThreadSettingsTests
{
    [DllImport("libc")]
    private static extern IntPtr getenv(string name);

    [TestMethod]
    public void SpinCount_IsInTheNativeEnvironment_BeforeLibtorchLoads_UnlessTheProcessChoseOne()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("Linux only.");
        TorchRuntime.Prepare();
        string? chosen = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.WaitPolicyVariable) ?? Environment.GetEnvironmentVariable(OpenMpWaitPolicy.SpinCountVariable);
        string? native = Marshal.PtrToStringUTF8(getenv(OpenMpWaitPolicy.SpinCountVariable));
        if (chosen is null)
        {
            Assert.AreEqual(OpenMpWaitPolicy.SpinCount.ToString(System.Globalization.CultureInfo.InvariantCulture), native, OpenMpWaitPolicy.Status);
            Assert.StartsWith("set ", OpenMpWaitPolicy.Status);
        }
        else
        {
            Assert.StartsWith("kept the environment's", OpenMpWaitPolicy.Status);
        }
    }

    [TestMethod]
    public void Threads_AreOne_ForSmallNetworks_TheDefault_ForLargeOnes_AndAsAskedWhenAsked()
    {
        TorchRuntime.Prepare();
        int original = torch.get_num_threads();
        try
        {
            using var small = new DenseAutoencoder(20, new DenseArchitecture([40], 5, [40], Activation.Tanh, 0, false, false));
            Assert.AreEqual(20 * 40 * 2 + 40 * 5 * 2, small.MultiplyAddsPerRow);
            Assert.AreEqual(1, TorchRuntime.SetThreads(null, small.MultiplyAddsPerRow * 32));
            Assert.AreEqual(1, torch.get_num_threads());

            using var large = new DenseAutoencoder(784, new DenseArchitecture([256], 64, [256], Activation.Tanh, 0, false, false));
            int expected = TorchRuntime.SetThreads(null, large.MultiplyAddsPerRow * 256);
            if (Environment.ProcessorCount > 1)
                Assert.IsGreaterThan(1, expected, "libtorch's default for a large network");
            Assert.AreEqual(expected, torch.get_num_threads());

            using var convolutional = new ConvolutionalAutoencoder(new ImageShape(1, 28, 28), new ConvolutionalArchitecture());
            Assert.IsGreaterThanOrEqualTo(TorchRuntime.OneThreadWork, convolutional.MultiplyAddsPerRow * 32);

            Assert.AreEqual(2, TorchRuntime.SetThreads(2, 1));
            Assert.AreEqual(2, torch.get_num_threads());
        }
        finally
        {
            torch.set_num_threads(original);
        }
    }

    [TestMethod]
    public void SmallNetwork_FixedSeed_GivesTheSameModel_AsOneThreadAskedFor()
    {
        var rows = FeatureMatrix.FromRows(Enumerable.Range(0, 300).Select(r => Enumerable.Range(0, 8).Select(c => (float)Math.Sin(r * 0.37 + c * 1.3) + c * 0.1f).ToArray()).ToList());
        float[] Scores(int? threads)
        {
            using var trained = new AutoencoderTrainer(new TrainerOptions { NumberOfEpochs = 3, Seed = 4, NumberOfThreads = threads, ScoreKind = ScoreKind.ReconstructionError }).Fit(rows);
            return trained.Score(rows);
        }
        CollectionAssert.AreEqual(Scores(1), Scores(null));
    }
}
