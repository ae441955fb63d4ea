using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.Training.Training;

/// <summary>
/// Adam (Kingma &amp; Ba 2015; PyTorch's defaults β = (0.9, 0.999), ε = 1e-8, L2 weight decay added to the gradient)
/// updating every buffer in place.
/// </summary>
/// <remarks>
/// TorchSharp's own Adam allocates the denominator for every parameter at every step, and its <c>zero_grad</c> drops
/// the gradient buffers so that backward allocates them again. On the 784→256→64 benchmark model that made a training
/// step about twice as slow as PyTorch's. Here the moments, the denominator and the gradients are allocated once.
/// </remarks>
internal sealed class InPlaceAdam : IDisposable
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    private readonly Parameter[] _parameters;
    private readonly Tensor[] _firstMoment;
    private readonly Tensor[] _secondMoment;
    private readonly Tensor[] _denominator;
    private readonly double _learningRate;
    private readonly double _weightDecay;
    private long _step;

    public InPlaceAdam(IEnumerable<Parameter> parameters, double learningRate, double weightDecay)
    {
        _parameters = parameters.ToArray();
        _learningRate = learningRate;
        _weightDecay = weightDecay;
        _firstMoment = _parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
        _secondMoment = _parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
        _denominator = _parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Sets every existing gradient to zero, keeping its buffer.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
            parameter.grad?.zero_();
    }

    /// <summary>One Adam update of every parameter that has a gradient.</summary>
    public void Step()
    {
        _step++;
        double correction1 = 1 - Math.Pow(Beta1, _step);
        double correction2 = Math.Sqrt(1 - Math.Pow(Beta2, _step));
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var gradient = _parameters[i].grad;
            if (gradient is null)
                continue;
            if (_weightDecay != 0)
                gradient.add_(_parameters[i], alpha: _weightDecay);
            _firstMoment[i].mul_(Beta1).add_(gradient, alpha: 1 - Beta1);
            _secondMoment[i].mul_(Beta2).addcmul_(gradient, gradient, value: 1 - Beta2);
            _denominator[i].copy_(_secondMoment[i]).sqrt_().div_(correction2).add_(Epsilon);
            _parameters[i].addcdiv_(_firstMoment[i], _denominator[i], value: -_learningRate / correction1);
        }
    }

    public void Dispose()
    {
        foreach (var tensor in _firstMoment.Concat(_secondMoment).Concat(_denominator))
            tensor.Dispose();
    }
}
