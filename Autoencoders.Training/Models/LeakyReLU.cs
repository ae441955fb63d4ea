using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Models;

/// <summary>
/// LeakyReLU whose negative slope is one <see cref="Scalar"/> the module owns for its lifetime, instead of TorchSharp's
/// <c>nn.LeakyReLU</c>, which converts its <see langword="double"/> slope to a new Scalar on every call.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 passes such an implicit Scalar's native handle to libtorch and keeps no reference to it, so the
/// garbage collector may finalize it (freeing the native scalar) while libtorch still reads it: a training run crashed
/// with "Expected false to be true … toFloat" in <c>leaky_relu</c>, and a loop of forward calls beside a thread that
/// collects garbage crashes within a second (dotnet/TorchSharp#1434 and #1496 are the upstream fixes, not merged).
/// Holding the Scalar in a field keeps it alive as long as the network; it is disposed with the module.
/// </remarks>
internal sealed class LeakyReLU : nn.Module<Tensor, Tensor>
{
    private readonly Scalar _slope;

    public LeakyReLU(double negativeSlope) : base(nameof(LeakyReLU))
    {
        NegativeSlope = negativeSlope;
        _slope = negativeSlope.ToScalar();
    }

    /// <summary>The slope for negative inputs.</summary>
    public double NegativeSlope { get; }

    public override Tensor forward(Tensor input)
    {
        var output = input.leaky_relu(_slope);
        GC.KeepAlive(_slope);
        return output;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _slope.Dispose();
        base.Dispose(disposing);
    }
}
