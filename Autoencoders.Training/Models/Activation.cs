namespace Autoencoders.Training.Models;

/// <summary>The nonlinearity applied after each hidden layer of an autoencoder.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    ReLU,
    /// <summary>x for x &gt; 0, 0.01·x otherwise.</summary>
    LeakyReLU,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Gaussian error linear unit, exact form 0.5·x·(1 + erf(x/√2)).</summary>
    GELU,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
}
