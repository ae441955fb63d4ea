namespace Autoencoders.Training.Trainers;

/// <summary>What the exported Score of a variational autoencoder measures.</summary>
public enum VariationalScore
{
    /// <summary>The mean squared reconstruction error of the mean code, per feature in standardized space (as for every autoencoder).</summary>
    ReconstructionError,

    /// <summary>
    /// The negative ELBO evaluated at the mean code, on the Score's scale: (‖x − decoder(μ)‖² + 2β·KL(N(μ, σ²) ‖ N(0, I))) / features.
    /// The expectation over codes is replaced by its value at μ, so the graph stays deterministic; training-time
    /// validation uses a seeded Monte Carlo sample instead.
    /// </summary>
    NegativeElbo,
}
