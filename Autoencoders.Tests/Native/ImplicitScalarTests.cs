using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Tests.Native;

/// <summary>
/// TorchSharp 0.107 lets the garbage collector finalize a Scalar created implicitly from a number while libtorch still
/// reads it. Our LeakyReLU owns its Scalar instead; this calls it in a loop beside a thread that does nothing but collect
/// garbage and run finalizers (TorchSharp's own nn.LeakyReLU crashed this loop after about 12,000 calls, within a second,
/// with "Expected false to be true … toFloat").
/// </summary>
[TestClass]
public sealed class ImplicitScalarTests
{
    [TestMethod]
    public void LeakyReLU_SurvivesGarbageCollection_DuringForward()
    {
        TorchRuntime.Prepare(1);
        using var module = new LeakyReLU(Layer.LeakyReluSlope);
        using var input = torch.tensor(new float[] { -2, -1, 0, 1, 2, -0.5f }, [2, 3]);
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
                using var output = module.forward(input);
                if (++calls % 10_000 == 0)
                    CollectionAssert.AreEqual(new[] { -0.02f, -0.01f, 0, 1, 2, -0.005f }, output.data<float>().ToArray());
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
    }
}
