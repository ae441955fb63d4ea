using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.Training.Models;

/// <summary>
/// A dense autoencoder in TorchSharp. It works in standardized feature space: inputs and reconstructions
/// are standardized; <see cref="Data.Standardizer"/> maps to and from the original scale.
/// </summary>
internal sealed class DenseAutoencoder : AutoencoderNetwork
{
    private readonly Sequential encoder;
    private readonly Sequential decoder;

    public DenseAutoencoder(int inputSize, DenseArchitecture architecture) : base(nameof(DenseAutoencoder))
    {
        InputSize = inputSize;
        Architecture = architecture;
        // A variational encoder's last layer outputs the mean and the log-variance side by side.
        EncoderLayers = Layer.Stack(inputSize, architecture.HiddenLayerSizes, (architecture.Variational ? 2 : 1) * architecture.LatentSize, architecture);
        DecoderLayers = Layer.Stack(architecture.LatentSize, architecture.DecoderHiddenLayerSizes, inputSize, architecture);
        encoder = ToSequential(EncoderLayers);
        decoder = ToSequential(DecoderLayers);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override int InputSize { get; }

    /// <inheritdoc/>
    public override int LatentSize => Architecture.LatentSize;

    /// <inheritdoc/>
    public override bool Variational => Architecture.Variational;

    /// <inheritdoc/>
    public override bool UsesBatchNormalization => Architecture.UseBatchNormalization;

    /// <inheritdoc/>
    public override string Describe() => Architecture.Describe(InputSize) + (Residual ? ", residual" : "");

    /// <summary>The resolved architecture.</summary>
    public DenseArchitecture Architecture { get; }

    /// <summary>Encoder layers, input side first.</summary>
    public IReadOnlyList<Layer> EncoderLayers { get; }

    /// <summary>Decoder layers, latent side first.</summary>
    public IReadOnlyList<Layer> DecoderLayers { get; }

    /// <inheritdoc/>
    public override Tensor Encode(Tensor input) => Architecture.Variational ? EncodeDistribution(input).Mean : encoder.call(input);

    /// <inheritdoc/>
    public override (Tensor Mean, Tensor LogVariance) EncodeDistribution(Tensor input)
    {
        var both = encoder.call(input);
        int latent = Architecture.LatentSize;
        return (both.narrow(1, 0, latent), both.narrow(1, latent, latent));
    }

    /// <inheritdoc/>
    public override Tensor Decode(Tensor latent) => decoder.call(latent);

    /// <summary>How many encoder layers make up the first hidden block (Linear, [BatchNorm], activation); 0 without hidden layers.</summary>
    public int FirstHiddenBlockLayers => Architecture.HiddenLayerSizes.Length == 0 ? 0
        : EncoderLayers.Select((layer, i) => (layer, i)).First(p => p.layer.Kind == LayerKind.Activation).i + 1;

    /// <inheritdoc/>
    public override int HiddenWidth => FirstHiddenBlockLayers == 0 ? LatentSize : Architecture.HiddenLayerSizes[0];

    /// <inheritdoc/>
    public override Tensor HiddenFeatures(Tensor input)
    {
        if (FirstHiddenBlockLayers == 0)
            return Encode(input);
        var h = input;
        foreach (var layer in EncoderLayers.Take(FirstHiddenBlockLayers))
            h = layer.Module.call(h);
        return h;
    }

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
