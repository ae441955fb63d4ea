using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Native;
using Autoencoders.Training.Trainers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Benchmarks.Micro;

/// <summary>
/// The two parts of a training step of the throughput model (784-256-64-256-784, batch 256) that the library computes
/// itself on the CPU, against the libtorch operations they replace: Gaussian input noise scaled per feature, and the
/// Adam update. Two libtorch threads, as in the throughput benchmark on this machine.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TrainingStepBenchmarks
{
    private const int Batch = 256;
    private const int Features = 784;

    private Tensor _batch = null!;
    private Tensor _scale = null!;
    private float[] _scaleValues = null!;
    private Generator _generator = null!;
    private GaussianStream _stream = null!;
    private nn.Module<Tensor, Tensor> _model = null!;
    private InPlaceAdam _fused = null!;
    private InPlaceAdam _operations = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeLibrary.EnsureLoaded();
        GlibcHeap.PrimeOnce();
        torch.set_num_threads(Math.Min(2, Environment.ProcessorCount));
        torch.manual_seed(1);
        _batch = torch.randn(Batch, Features);
        _scaleValues = Enumerable.Range(0, Features).Select(i => 0.1f * (1 + i % 3)).ToArray();
        _scale = torch.tensor(_scaleValues);
        _generator = new Generator(1);
        _stream = new GaussianStream(1);
        _model = nn.Sequential(nn.Linear(Features, 256), nn.Tanh(), nn.Linear(256, 64), nn.Linear(64, 256), nn.Tanh(), nn.Linear(256, Features));
        nn.functional.mse_loss(_model.call(_batch), _batch).backward(); // gradients to update with
        _fused = new InPlaceAdam(_model.parameters(), 1e-6, 0);
        _operations = new InPlaceAdam(_model.parameters(), 1e-6, 0, fusedOnCpu: false);
    }

    /// <summary>libtorch: <c>batch + randn(batch.shape) * scale</c> (three operations, two temporaries).</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("noise")]
    public void GaussianNoise_Libtorch()
    {
        using var scope = torch.NewDisposeScope();
        _ = _batch + torch.randn(_batch.shape, generator: _generator) * _scale;
    }

    /// <summary>The library: one vectorized pass drawing and adding.</summary>
    [Benchmark]
    [BenchmarkCategory("noise")]
    public void GaussianNoise_Stream()
    {
        using var scope = torch.NewDisposeScope();
        _ = _stream.AddTo(_batch, _scaleValues);
    }

    /// <summary>Adam as nine libtorch operations per parameter (the path for CUDA parameters).</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("adam")]
    public void Adam_LibtorchOperations() => _operations.Step();

    /// <summary>Adam fused into one managed pass per CPU parameter.</summary>
    [Benchmark]
    [BenchmarkCategory("adam")]
    public void Adam_Fused() => _fused.Step();

    [GlobalCleanup]
    public void Cleanup()
    {
        _fused.Dispose();
        _operations.Dispose();
        _model.Dispose();
        _generator.Dispose();
        _batch.Dispose();
        _scale.Dispose();
    }
}
