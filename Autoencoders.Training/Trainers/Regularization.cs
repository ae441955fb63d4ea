using TorchSharp;
using static TorchSharp.torch;
using Autoencoders.Training.Native;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// The regularizers added to the reconstruction loss: sparsity of the latent code (L1, or KL divergence to a target
/// activation rate) and the contractive penalty. Weight decay is Adam's (<see cref="TrainerOptions.WeightDecay"/>).
/// </summary>
internal sealed class Regularization(TrainerOptions options)
{
    /// <summary>True when any regularizer is on.</summary>
    public bool Any => options.SparsityL1Weight > 0 || options.SparsityKLWeight > 0 || options.ContractiveWeight > 0;

    /// <summary>True when the penalty needs the gradient of the code with respect to the input.</summary>
    public bool NeedsInputGradient => options.ContractiveWeight > 0;

    /// <summary>The total penalty for a minibatch: <paramref name="latent"/> = encoder(<paramref name="input"/>).</summary>
    public Tensor Penalty(Tensor latent, Tensor input)
    {
        // Every Scalar explicit and disposed after its call: see Models/LeakyReLU on implicit Scalars.
        using var l1Weight = options.SparsityL1Weight.ToScalar();
        using var klWeight = options.SparsityKLWeight.ToScalar();
        using var contractiveWeight = options.ContractiveWeight.ToScalar();
        var total = torch.zeros(1, device: latent.device);
        if (options.SparsityL1Weight > 0)
            total = total.Plus(latent.abs().mean() * l1Weight);
        if (options.SparsityKLWeight > 0)
            total = total.Plus(KLSparsity(latent, options.SparsityTarget) * klWeight);
        if (options.ContractiveWeight > 0)
            total = total.Plus(SquaredJacobianNorm(latent, input) * contractiveWeight);
        return total.squeeze();
    }

    /// <summary>
    /// Σⱼ KL(ρ ‖ ρ̂ⱼ) where ρ̂ⱼ is the mean over the minibatch of sigmoid(code j): the sparse-autoencoder penalty of
    /// Ng's notes, with the linear code read through a sigmoid as a firing rate.
    /// </summary>
    public static Tensor KLSparsity(Tensor latent, double target)
    {
        // Constants as tensors, not implicit Scalars (see Models/LeakyReLU).
        var rho = torch.tensor(target, dtype: latent.dtype, device: latent.device);
        var one = torch.ones_like(rho);
        var rate = latent.sigmoid().mean([0L]).clamp(torch.tensor(1e-6, dtype: latent.dtype, device: latent.device), one - torch.tensor(1e-6, dtype: latent.dtype, device: latent.device));
        return (rho * (rho / rate).log()).Plus((one - rho) * ((one - rho) / (one - rate)).log()).sum();
    }

    /// <summary>
    /// Mean over the minibatch of ‖∂code/∂input‖²_F, exactly: one gradient of each code unit (summed over rows, which
    /// separates per row because rows do not interact) with respect to the input, kept in the graph for backpropagation.
    /// Cost: latent-size extra backward passes through the encoder per minibatch. With batch normalization in training
    /// mode rows do interact through the batch statistics, so the per-row Jacobian is then approximate.
    /// </summary>
    public static Tensor SquaredJacobianNorm(Tensor latent, Tensor input)
    {
        long units = latent.shape[1];
        var total = torch.zeros(1, device: latent.device);
        for (long unit = 0; unit < units; unit++)
        {
            var gradient = torch.autograd.grad([latent.select(1, unit).sum()], [input], null, retain_graph: true, create_graph: true, allow_unused: false)[0];
            total = total.Plus(gradient.square().sum());
        }
        using var rows = input.shape[0].ToScalar();
        return total / rows;
    }
}
