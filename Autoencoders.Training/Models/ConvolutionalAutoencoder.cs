using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.Training.Models;

/// <summary>
/// A convolutional autoencoder in TorchSharp. Rows are flat standardized vectors laid out as <see cref="Image"/>
/// (channel-major); the network reshapes them to images and flattens its reconstruction back.
/// </summary>
/// <remarks>
/// Encoder block i: convolution (stride 2, or stride 1 then 2×2 max or average pooling) → [batch norm] → activation; its output
/// size is ⌈input / 2⌉ per side. Bottleneck: flatten → linear → code, and back: linear → activation → reshape.
/// Decoder stage for level i (from the deepest): upsample to level i−1's exact size (resize, or a stride-2 transposed
/// convolution to twice the size, cropped at the bottom and right when level i−1 is odd) → [concatenate the encoder's level i−1 map, U-Net] → convolution
/// → [batch norm] → activation; the last stage's convolution outputs the image channels, linearly (computed as
/// <see cref="OutputChannels"/> channels of which the first ones are kept).
/// </remarks>
internal sealed class ConvolutionalAutoencoder : AutoencoderNetwork
{
    private readonly ModuleList<Conv2d> encoderConvolutions;
    private readonly ModuleList<BatchNorm2d> encoderNorms;
    private readonly nn.Module<Tensor, Tensor>? pool;
    private readonly Linear? toLatent;
    private readonly Linear? fromLatent;
    private readonly ModuleList<ConvTranspose2d> decoderUpsamplers;
    private readonly ModuleList<Conv2d> decoderConvolutions;
    private readonly ModuleList<BatchNorm2d> decoderNorms;
    private readonly Conv2d? fullResolutionStem;
    private readonly BatchNorm2d? fullResolutionStemNorm;
    private readonly ModuleList<Conv2d> fullResolutionConvolutions;
    private readonly ModuleList<BatchNorm2d> fullResolutionNorms;
    private readonly nn.Module<Tensor, Tensor> activation;

    /// <summary>An upper bound: every kernel applied at every pixel of the full-size image (deeper levels see fewer).</summary>
    public override long MultiplyAddsPerRow => base.MultiplyAddsPerRow * Image.Height * Image.Width;

    public ConvolutionalAutoencoder(ImageShape image, ConvolutionalArchitecture architecture) : base(nameof(ConvolutionalAutoencoder))
    {
        image.Check();
        Image = image;
        Architecture = architecture;
        int[] channels = architecture.Channels;
        int levels = channels.Length;
        int k = architecture.KernelSize, padding = k / 2;
        bool strided = architecture.Downsampling == Downsampling.StridedConvolution;

        var sizes = new List<(int Height, int Width)> { (image.Height, image.Width) };
        for (int i = 0; i < levels; i++)
            sizes.Add(((sizes[i].Height + 1) / 2, (sizes[i].Width + 1) / 2));
        Sizes = sizes;

        encoderConvolutions = new ModuleList<Conv2d>(Enumerable.Range(0, levels)
            .Select(i => nn.Conv2d(i == 0 ? image.Channels : channels[i - 1], channels[i], k, stride: strided ? 2 : 1, padding: padding)).ToArray());
        encoderNorms = new ModuleList<BatchNorm2d>(architecture.UseBatchNormalization ? channels.Select(c => nn.BatchNorm2d(c)).ToArray() : []);
        pool = architecture.Downsampling switch
        {
            Downsampling.MaxPooling => nn.MaxPool2d(2, stride: 2, ceil_mode: true),
            Downsampling.AveragePooling => nn.AvgPool2d(2, stride: 2, ceil_mode: true, count_include_pad: false),
            _ => null,
        };

        var (deepHeight, deepWidth) = sizes[levels];
        DeepSize = channels[^1] * deepHeight * deepWidth;
        LatentSize = architecture.LatentSize > 0 ? architecture.LatentSize : DeepSize;
        if (architecture.LatentSize > 0)
        {
            toLatent = nn.Linear(DeepSize, LatentSize);
            fromLatent = nn.Linear(LatentSize, DeepSize);
        }

        var upsamplers = new List<ConvTranspose2d>();
        var convolutions = new List<Conv2d>();
        var norms = new List<BatchNorm2d>();
        for (int level = levels; level >= 1; level--)
        {
            int input = channels[level - 1];
            if (architecture.Upsampling == Upsampling.TransposedConvolution)
                // Output 2·in per side (output padding 1), cropped to the encoder's size. (TorchSharp 0.107's ConvTranspose2d
                // applies the first output padding to both sides when given a pair, so per-side paddings are not used.)
                upsamplers.Add(nn.ConvTranspose2d(input, input, k, stride: 2, padding: padding, output_padding: 1));
            if (SkipsInto(level - 1))
                input += channels[level - 2];
            if (level == 1 && HasFullResolution)
                input += channels[0]; // the full-resolution stem's maps
            int output = level == 1 ? (HasFullResolution ? channels[0] : OutputChannels) : channels[level - 2];
            convolutions.Add(nn.Conv2d(input, output, k, stride: 1, padding: padding));
            if ((level > 1 || HasFullResolution) && architecture.UseBatchNormalization)
                norms.Add(nn.BatchNorm2d(output));
        }
        decoderUpsamplers = new ModuleList<ConvTranspose2d>(upsamplers.ToArray());
        decoderConvolutions = new ModuleList<Conv2d>(convolutions.ToArray());
        decoderNorms = new ModuleList<BatchNorm2d>(norms.ToArray());
        // Full resolution: a stem reads the input image (convolution → [norm] → activation, channels[0] maps, stride 1) and
        // joins the decoder's last stage like a skip; that stage becomes the first hidden block, then FullResolutionBlocks − 1
        // more, then the output convolution. (The raw image as an extra channel would give an input channel count outside
        // oneDNN's blocks: NaN in libtorch 2.10.)
        int blocks = architecture.FullResolutionBlocks;
        fullResolutionStem = HasFullResolution ? nn.Conv2d(image.Channels, channels[0], k, stride: 1, padding: padding) : null;
        fullResolutionStemNorm = HasFullResolution && architecture.UseBatchNormalization ? nn.BatchNorm2d(channels[0]) : null;
        fullResolutionConvolutions = new ModuleList<Conv2d>(Enumerable.Range(0, blocks)
            .Select(b => nn.Conv2d(channels[0], b == blocks - 1 ? OutputChannels : channels[0], k, stride: 1, padding: padding)).ToArray());
        fullResolutionNorms = new ModuleList<BatchNorm2d>(architecture.UseBatchNormalization
            ? Enumerable.Range(0, Math.Max(blocks - 1, 0)).Select(_ => nn.BatchNorm2d(channels[0])).ToArray() : []);
        activation = Layer.Activate(0, architecture.Activation).Module;
        RegisterComponents();
    }

    /// <summary>
    /// oneDNN computes a convolution's gradients correctly in libtorch 2.10 only when its output channels fill whole
    /// blocks of this many (see <see cref="Native.OneDnn"/>).
    /// </summary>
    public const int ChannelBlock = 16;

    /// <summary>
    /// Output channels of the last convolution: the image channels rounded up to <see cref="ChannelBlock"/>; only the
    /// first <see cref="ImageShape.Channels"/> are used (and exported), the others get no gradient and stay unused.
    /// </summary>
    public int OutputChannels => (Image.Channels + ChannelBlock - 1) / ChannelBlock * ChannelBlock;

    /// <summary>True when every convolution's output channels fill whole oneDNN blocks, so oneDNN may train this network.</summary>
    public bool FitsOneDnnBlocks => Architecture.Channels.All(c => c % ChannelBlock == 0);

    /// <summary>The image layout of the rows.</summary>
    public ImageShape Image { get; }

    /// <summary>The checked architecture.</summary>
    public ConvolutionalArchitecture Architecture { get; }

    /// <summary>Height and width per level: level 0 is the image, level i the output of encoder block i.</summary>
    public IReadOnlyList<(int Height, int Width)> Sizes { get; }

    /// <summary>Values in the last encoder block's feature map (channels × height × width).</summary>
    public int DeepSize { get; }

    /// <inheritdoc/>
    public override int InputSize => Image.Size;

    /// <inheritdoc/>
    public override int LatentSize { get; }

    /// <inheritdoc/>
    public override bool UsesBatchNormalization => Architecture.UseBatchNormalization;

    /// <inheritdoc/>
    public override bool CanDecodeAlone => base.CanDecodeAlone && !Architecture.SkipConnections && !HasFullResolution;

    /// <summary>True when the network has a full-resolution stem and blocks (<see cref="ConvolutionalArchitecture.FullResolutionBlocks"/> above 0).</summary>
    public bool HasFullResolution => Architecture.FullResolutionBlocks > 0;

    /// <summary>The full-resolution stem that reads the input image (when <see cref="HasFullResolution"/>): convolution, batch norm (or null).</summary>
    public (Conv2d Convolution, BatchNorm2d? Norm) FullResolutionStem =>
        (fullResolutionStem ?? throw new InvalidOperationException("This network has no full-resolution blocks."), fullResolutionStemNorm);

    /// <summary>
    /// Convolution <paramref name="b"/> after the decoder's last stage, of <see cref="ConvolutionalArchitecture.FullResolutionBlocks"/>
    /// (the last one is the output convolution, without norm or activation): convolution, batch norm (or null).
    /// </summary>
    public (Conv2d Convolution, BatchNorm2d? Norm) FullResolutionBlock(int b) =>
        (fullResolutionConvolutions[b], b < fullResolutionNorms.Count ? fullResolutionNorms[b] : null);

    /// <inheritdoc/>
    public override string Describe() => Architecture.Describe(Image) + (Residual ? ", residual" : "");

    /// <summary>True when the decoder stage that produces level <paramref name="level"/> concatenates the encoder's map of that level (never the image itself).</summary>
    public bool SkipsInto(int level) => Architecture.SkipConnections && level >= 1;

    /// <summary>The encoder's modules for block <paramref name="i"/>: convolution, batch norm (or null).</summary>
    public (Conv2d Convolution, BatchNorm2d? Norm) EncoderBlock(int i) =>
        (encoderConvolutions[i], encoderNorms.Count > 0 ? encoderNorms[i] : null);

    /// <summary>The decoder's modules for stage <paramref name="j"/> (0 = deepest): transposed convolution (or null), convolution, batch norm (or null for the last stage).</summary>
    public (ConvTranspose2d? Upsampler, Conv2d Convolution, BatchNorm2d? Norm) DecoderStage(int j) =>
        (decoderUpsamplers.Count > 0 ? decoderUpsamplers[j] : null, decoderConvolutions[j], j < decoderNorms.Count ? decoderNorms[j] : null);

    /// <summary>The bottleneck's linear layers, or nulls for a spatial code.</summary>
    public (Linear? ToLatent, Linear? FromLatent) Bottleneck => (toLatent, fromLatent);

    /// <inheritdoc/>
    public override Tensor Encode(Tensor input) => Code(EncodeMaps(input, null));

    /// <inheritdoc/>
    public override Tensor Decode(Tensor latent)
    {
        if (!CanDecodeAlone)
            throw new InvalidOperationException("A decoder with U-Net skip connections needs the encoder's feature maps, a residual or full-resolution one the input, not just the code.");
        return DecodeMaps(latent, null, null);
    }

    /// <inheritdoc/>
    protected override (Tensor Latent, Tensor Output) Layers(Tensor input)
    {
        var skips = Architecture.SkipConnections ? new List<Tensor>() : null;
        var latent = Code(EncodeMaps(input, skips));
        return (latent, DecodeMaps(latent, skips, HasFullResolution ? Stem(ImageOf(input)) : null));
    }

    private Tensor Stem(Tensor image)
    {
        var (convolution, norm) = FullResolutionStem;
        var h = convolution.call(image);
        return activation.call(norm is null ? h : norm.call(h));
    }

    private Tensor ImageOf(Tensor rows) => rows.reshape(-1, Image.Channels, Image.Height, Image.Width);

    private Tensor EncodeMaps(Tensor input, List<Tensor>? skips)
    {
        var h = ImageOf(input);
        for (int i = 0; i < encoderConvolutions.Count; i++)
        {
            var (convolution, norm) = EncoderBlock(i);
            h = convolution.call(h);
            if (norm is not null)
                h = norm.call(h);
            h = activation.call(h);
            if (pool is not null)
                h = pool.call(h);
            skips?.Add(h); // skips[i] is level i + 1
        }
        return h;
    }

    private Tensor Code(Tensor deepMap)
    {
        var flat = deepMap.flatten(1);
        return toLatent is null ? flat : toLatent.call(flat);
    }

    private Tensor DecodeMaps(Tensor latent, List<Tensor>? skips, Tensor? stem)
    {
        int levels = Architecture.Channels.Length;
        var (deepHeight, deepWidth) = Sizes[levels];
        var h = fromLatent is null ? latent : activation.call(fromLatent.call(latent));
        h = h.reshape(-1, Architecture.Channels[^1], deepHeight, deepWidth);
        for (int j = 0; j < levels; j++)
        {
            int target = levels - 1 - j; // the level this stage produces
            var (upsampler, convolution, norm) = DecoderStage(j);
            h = upsampler is not null ? Crop(upsampler.call(h), Sizes[target]) : nn.functional.interpolate(h, [Sizes[target].Height, Sizes[target].Width],
                mode: Architecture.Upsampling == Upsampling.Bilinear ? InterpolationMode.Bilinear : InterpolationMode.Nearest,
                align_corners: Architecture.Upsampling == Upsampling.Bilinear ? false : null);
            if (skips is not null && SkipsInto(target))
                h = torch.cat([h, skips[target - 1]], 1);
            if (target == 0 && HasFullResolution)
                h = torch.cat([h, stem!], 1);
            h = convolution.call(h);
            if (target > 0 || HasFullResolution)
            {
                if (norm is not null)
                    h = norm.call(h);
                h = activation.call(h);
            }
        }
        for (int b = 0; b < Architecture.FullResolutionBlocks; b++)
        {
            var (convolution, norm) = FullResolutionBlock(b);
            h = convolution.call(h);
            if (b < Architecture.FullResolutionBlocks - 1)
            {
                if (norm is not null)
                    h = norm.call(h);
                h = activation.call(h);
            }
        }
        if (OutputChannels != Image.Channels)
            h = h.narrow(1, 0, Image.Channels);
        return h.flatten(1);
    }

    private static Tensor Crop(Tensor map, (int Height, int Width) size) =>
        map.shape[2] == size.Height && map.shape[3] == size.Width ? map : map.narrow(2, 0, size.Height).narrow(3, 0, size.Width);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            encoderConvolutions.Dispose();
            encoderNorms.Dispose();
            pool?.Dispose();
            toLatent?.Dispose();
            fromLatent?.Dispose();
            decoderUpsamplers.Dispose();
            decoderConvolutions.Dispose();
            decoderNorms.Dispose();
            fullResolutionStem?.Dispose();
            fullResolutionStemNorm?.Dispose();
            fullResolutionConvolutions.Dispose();
            fullResolutionNorms.Dispose();
            activation.Dispose();
        }
        base.Dispose(disposing);
    }
}
