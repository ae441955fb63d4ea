using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Native;

/// <summary>
/// Tensor addition without TorchSharp's implicit Scalar: its <c>a + b</c>, <c>a += b</c> and <c>add(b)</c> each create
/// a new Scalar 1 for libtorch's alpha and keep no reference to it, so the garbage collector may free it while libtorch
/// reads it (see <see cref="Models.LeakyReLU"/>; a CI run failed this way in a nearest-neighbour distance). This one
/// lives as long as the process.
/// </summary>
internal static class TorchScalars
{
    /// <summary>1, held for the life of the process (a static field is never collected).</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary><paramref name="left"/> + <paramref name="right"/>, elementwise, with broadcasting.</summary>
    public static Tensor Plus(this Tensor left, Tensor right) => left.add(right, One);

    /// <summary><paramref name="left"/> + <paramref name="right"/> for a Scalar the caller keeps alive.</summary>
    public static Tensor Plus(this Tensor left, Scalar right) => left.add(right, One);
}
