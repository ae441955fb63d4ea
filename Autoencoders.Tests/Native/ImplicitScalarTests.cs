using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Tests.Native;

/// <summary>
/// TorchSharp 0.107 lets the garbage collector finalize a Scalar created implicitly from a number while libtorch still
/// reads it. Our LeakyReLU owns its Scalar instead, and TorchScalars.Plus adds with one that lives as long as the process;
/// these call them in a loop beside a thread that does nothing but collect
/// garbage and run finalizers (TorchSharp's own nn.LeakyReLU crashed this loop after about 12,000 calls, within a second,
/// with "Expected false to be true … toFloat").
/// </summary>
[TestClass]
public sealed class ImplicitScalarTests
{
    [TestMethod]
    public void LeakyReLU_SurvivesGarbageCollection_DuringForward()
    {
        TorchRuntime.SetThreads(1, 0);
        using var module = new LeakyReLU(Layer.LeakyReluSlope);
        using var input = torch.tensor(new float[] { -2, -1, 0, 1, 2, -0.5f }, [2, 3]);
        UnderGarbageCollection(() => module.forward(input), [-0.02f, -0.01f, 0, 1, 2, -0.005f]);
    }

    /// <summary>TorchSharp's <c>a + b</c> creates a Scalar 1 (alpha) each call; <see cref="TorchScalars.Plus(Tensor, Tensor)"/> does not.</summary>
    [TestMethod]
    public void Plus_SurvivesGarbageCollection()
    {
        TorchRuntime.SetThreads(1, 0);
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = torch.tensor(new float[] { 0.5f, -2, 4 });
        UnderGarbageCollection(() => a.Plus(b), [1.5f, 0, 7]);
    }

    /// <summary>Calls <paramref name="call"/> for 1.5 s (at least 50,000 times) beside a thread that only collects garbage and runs finalizers.</summary>
    private static void UnderGarbageCollection(Func<Tensor> call, float[] expected)
    {
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        collector.Start();
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int calls = 0;
            while (watch.ElapsedMilliseconds < 1500 || calls < 50_000)
            {
                using var output = call();
                if (++calls % 10_000 == 0)
                    CollectionAssert.AreEqual(expected, output.data<float>().ToArray());
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
    }
}
