using static TorchSharp.torch;
using Autoencoders.Training.Native;

namespace Autoencoders.Training.Models;

/// <summary>
/// What the trainer, the exporter and the trained model need from an autoencoder network, dense or
/// convolutional. Rows are flat standardized feature vectors (rows × features) on both sides.
/// </summary>
internal abstract class AutoencoderNetwork(string name) : nn.Module<Tensor, Tensor>(name)
{
    /// <summary>Number of input features.</summary>
    public abstract int InputSize { get; }

    /// <summary>Size of the latent code.</summary>
    public abstract int LatentSize { get; }

    /// <summary>True for a variational autoencoder (Gaussian code).</summary>
    public virtual bool Variational => false;

    /// <summary>True when the network has batch normalization (training needs two rows per minibatch).</summary>
    public abstract bool UsesBatchNormalization { get; }

    /// <summary>False when the decoder needs more than the code (U-Net skip connections): then <see cref="Decode"/> throws.</summary>
    public virtual bool CanDecodeAlone => !Residual;

    /// <summary>
    /// A residual network (DnCNN-style): the layers compute a correction that is added to the input, so the untrained
    /// network starts at the identity and a denoiser learns the noise to remove. Set once, before training.
    /// </summary>
    public bool Residual { get; init; }

    /// <summary>A compact description of the architecture.</summary>
    public abstract string Describe();

    /// <summary>
    /// Multiply-adds of one forward pass over one row, estimated from the weights (every weight matrix or kernel once per
    /// row; see <see cref="ConvolutionalAutoencoder"/> for kernels, which count once per pixel). Deterministic: it decides
    /// the training's thread count (<see cref="Native.TorchRuntime.SetThreads"/>).
    /// </summary>
    public virtual long MultiplyAddsPerRow => parameters().Where(p => p.dim() >= 2).Sum(p => p.numel());

    /// <summary>
    /// The representation of standardized rows that nearest-neighbour scoring compares: the first hidden layer's output
    /// (evaluation mode), or the latent code when there is no hidden layer.
    /// </summary>
    public virtual Tensor HiddenFeatures(Tensor input) => Encode(input);

    /// <summary>Width of <see cref="HiddenFeatures"/>.</summary>
    public virtual int HiddenWidth => LatentSize;

    /// <summary>The latent code of standardized rows.</summary>
    public abstract Tensor Encode(Tensor input);

    /// <summary>Decodes latent codes to standardized reconstructions.</summary>
    public abstract Tensor Decode(Tensor latent);

    /// <summary>The code and the reconstruction of standardized rows in one pass (the input plus the layers' correction for a <see cref="Residual"/> network).</summary>
    public (Tensor Latent, Tensor Restored) Reconstruct(Tensor input)
    {
        var (latent, output) = Layers(input);
        return (latent, Residual ? input.Plus(output) : output);
    }

    /// <summary>The code and the layers' output (the reconstruction, or a residual network's correction) in one pass.</summary>
    protected virtual (Tensor Latent, Tensor Output) Layers(Tensor input)
    {
        var latent = Encode(input);
        return (latent, Decode(latent));
    }

    /// <summary>The Gaussian code of a variational autoencoder: mean and log-variance, each rows × latent size.</summary>
    public virtual (Tensor Mean, Tensor LogVariance) EncodeDistribution(Tensor input) =>
        throw new InvalidOperationException($"{Describe()} is not variational.");

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => Reconstruct(input).Restored;
}
