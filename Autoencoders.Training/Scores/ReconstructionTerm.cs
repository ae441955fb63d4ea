using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Scores;

/// <summary>
/// The autoencoder's reconstruction error as a term of <see cref="NeighborScore"/>: Σⱼ eⱼ · <see cref="Scales"/>ⱼ, where eⱼ is
/// feature j's squared error in standardized units and the scale is 1 / (features × feature j's mean error over the stored
/// training rows) — the mean of each feature's error relative to its typical one, so a feature the network rebuilds well
/// counts as much as one it rebuilds loosely — then standardized by the stored rows' own values and multiplied by
/// <see cref="Weight"/>.
/// </summary>
/// <remarks>
/// The stored rows' errors are those of rows the network was trained on (the distances, by contrast, are leave-one-out),
/// so a new normal row's term is on average somewhat above 0 (weight × the gap between held-out and training error, in
/// the stored rows' deviations). When every stored error is 0 (a network that rebuilds its training rows exactly) the
/// term is 0 for every row.
/// </remarks>
/// <param name="Scales">Per feature, 1 / (features × the feature's mean squared error over the stored rows, at least <see cref="MinimumErrorShare"/> of the features' average).</param>
/// <param name="Statistics">Mean and standard deviation of the stored rows' normalized errors.</param>
/// <param name="Weight">The factor the standardized term enters the score with.</param>
internal sealed record ReconstructionTerm(float[] Scales, (float Mean, float Deviation) Statistics, float Weight)
{
    /// <summary>
    /// The smallest normalizer, as a share of the features' average error: a feature the network rebuilds almost exactly
    /// (constant in training, or an image's empty border) does not turn a small error into an overwhelming one.
    /// </summary>
    public const double MinimumErrorShare = 0.01;

    /// <summary>The term for stored rows whose squared reconstruction errors are <paramref name="errors"/> (rows × features).</summary>
    internal static ReconstructionTerm Build(Tensor errors, float weight)
    {
        using var scope = torch.NewDisposeScope();
        var means = TensorMemory.ToArray(errors.to_type(ScalarType.Float64).mean([0L]).to_type(ScalarType.Float32));
        double average = means.Average(v => (double)v);
        double floor = MinimumErrorShare * average;
        var scales = means.Select(m => average > 0 ? (float)(1.0 / (means.Length * Math.Max(m, floor))) : 0f).ToArray();
        var values = TensorMemory.ToArray(Normalized(errors, scales));
        return new ReconstructionTerm(scales, NeighborScore.Statistics(values), weight);
    }

    /// <summary>Σⱼ errorsⱼ · scalesⱼ per row (the graph: Mul, ReduceSum).</summary>
    private static Tensor Normalized(Tensor errors, float[] scales) =>
        (errors * torch.tensor(scales, [1, scales.Length], dtype: errors.dtype, device: errors.device)).sum([1L]);

    /// <summary>The weighted, standardized term of rows whose squared reconstruction errors are <paramref name="errors"/>.</summary>
    internal Tensor Score(Tensor errors)
    {
        var standardized = NeighborScore.Standardize(Normalized(errors, Scales), Statistics);
        return standardized * NeighborScore.Constant(Weight, standardized);
    }
}
