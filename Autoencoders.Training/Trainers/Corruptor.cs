using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Data;
using TorchSharp;
using static TorchSharp.torch;
using Autoencoders.Training.Native;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// Applies the training corruptions to a standardized minibatch: back to the original scale, each corruption in turn,
/// then standardized again. Owns the seeded generator, so the corruption sequence is the same for the same seed.
/// </summary>
internal sealed class Corruptor : IDisposable
{
    // Keeps the corruption stream apart from weight initialization and shuffling, which use the same seed.
    private const ulong StreamOffset = 0xC0222097;

    private readonly IReadOnlyList<Corruption> _corruptions;
    private readonly Tensor _mean;
    private readonly Tensor _scale;
    private readonly GaussianNoise? _gaussianAlone; // unclipped Gaussian noise as the only corruption: added in standardized space
    private readonly float[] _gaussianScale; // σ · scale per feature, for _gaussianAlone
    private readonly CorruptionContext _context;

    public Corruptor(IReadOnlyList<Corruption> corruptions, Standardizer standardizer, int seed, Device device, Models.ImageShape? image)
    {
        _corruptions = corruptions;
        _mean = torch.tensor(standardizer.Mean, device: device).DetachFromDisposeScope();
        _scale = torch.tensor(standardizer.Scale, device: device).DetachFromDisposeScope();
        _gaussianAlone = Corruption.UnclippedGaussianAlone(corruptions);
        _gaussianScale = _gaussianAlone is null ? [] : standardizer.Scale.Select(s => (float)(s * _gaussianAlone.Sigma)).ToArray();
        _context = new CorruptionContext(
            new Generator((ulong)(uint)seed + StreamOffset, device),
            torch.tensor(standardizer.Minimum, device: device).DetachFromDisposeScope(),
            torch.tensor(standardizer.Maximum, device: device).DetachFromDisposeScope(),
            image);
        foreach (var corruption in corruptions)
            corruption.CheckFits(_context);
    }

    /// <summary>A corrupted copy of the standardized <paramref name="batch"/>, created in the caller's dispose scope.</summary>
    public Tensor Corrupt(Tensor batch)
    {
        // Unclipped Gaussian noise alone commutes with standardization: add σ·scale-scaled noise in standardized space
        // directly (the same draws, without the round trip through the original scale).
        if (_gaussianAlone is not null)
        {
            if (GaussianStream.Supports(batch))
                return _context.Normal.AddTo(batch, _gaussianScale);
            // σ in the original units is σ·scale per feature in standardized units (_scale is a tensor, one per feature);
            // the Scalar explicit and disposed: see Models/LeakyReLU.
            using var sigma = _gaussianAlone.Sigma.ToScalar();
            return batch.Plus(torch.randn(batch.shape, generator: _context.Generator, device: batch.device) * (_scale * sigma));
        }
        var original = (batch / _scale).Plus(_mean);
        foreach (var corruption in _corruptions)
            original = corruption.Apply(original, _context);
        return (original - _mean) * _scale;
    }

    public void Dispose()
    {
        _mean.Dispose();
        _scale.Dispose();
        _context.FeatureMinimum.Dispose();
        _context.FeatureMaximum.Dispose();
        _context.Generator.Dispose();
    }
}
