using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.Training.Models;

/// <summary>
/// A dense autoencoder in TorchSharp. It works in standardized feature space: inputs and reconstructions
/// are standardized; <see cref="Data.Standardizer"/> maps to and from the original scale.
/// </summary>
internal sealed class DenseAutoencoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential encoder;
    private readonly Sequential decoder;

    public DenseAutoencoder(int inputSize, DenseArchitecture architecture) : base(nameof(DenseAutoencoder))
    {
        InputSize = inputSize;
        Architecture = architecture;
        // A variational encoder's last layer outputs the mean and the log-variance side by side.
        EncoderLayers = Layer.Stack(inputSize, architecture.EncoderHiddenSizes!, (architecture.Variational ? 2 : 1) * architecture.LatentSize, architecture);
        DecoderLayers = Layer.Stack(architecture.LatentSize, architecture.DecoderHiddenSizes!, inputSize, architecture);
        encoder = ToSequential(EncoderLayers);
        decoder = ToSequential(DecoderLayers);
        RegisterComponents();
    }

    /// <summary>Number of input features.</summary>
    public int InputSize { get; }

    /// <summary>The resolved architecture.</summary>
    public DenseArchitecture Architecture { get; }

    /// <summary>Encoder layers, input side first.</summary>
    public IReadOnlyList<Layer> EncoderLayers { get; }

    /// <summary>Decoder layers, latent side first.</summary>
    public IReadOnlyList<Layer> DecoderLayers { get; }

    /// <summary>Reconstructs standardized input <paramref name="input"/> (rows × features).</summary>
    public override Tensor forward(Tensor input) => decoder.call(Encode(input));

    /// <summary>The latent code of standardized input <paramref name="input"/>.</summary>
    public Tensor Encode(Tensor input) => Architecture.Variational ? EncodeDistribution(input).Mean : encoder.call(input);

    /// <summary>The Gaussian code of a variational autoencoder: mean and log-variance, each rows × latent size.</summary>
    public (Tensor Mean, Tensor LogVariance) EncodeDistribution(Tensor input)
    {
        var both = encoder.call(input);
        int latent = Architecture.LatentSize;
        return (both.narrow(1, 0, latent), both.narrow(1, latent, latent));
    }

    /// <summary>Decodes latent codes to standardized reconstructions.</summary>
    public Tensor Decode(Tensor latent) => decoder.call(latent);

    private static Sequential ToSequential(IReadOnlyList<Layer> layers) =>
        nn.Sequential(layers.Select((layer, i) => ($"{layer.Kind.ToString().ToLowerInvariant()}{i}", layer.Module)).ToArray());

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            encoder.Dispose();
            decoder.Dispose();
        }
        base.Dispose(disposing);
    }
}
