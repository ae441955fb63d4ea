namespace Autoencoders.Training.Models;

/// <summary>
/// Shape of a convolutional autoencoder for images (rows laid out as <see cref="ImageShape"/>): encoder blocks that each
/// halve height and width, a dense bottleneck to the latent code (or a spatial code), and decoder blocks that mirror
/// them by resizing and convolving. Every block is convolution → [batch norm] → activation.
/// </summary>
public sealed class ConvolutionalArchitecture
{
    /// <summary>Output channels of the encoder blocks, from the input side; each block halves height and width. Default [32, 64].</summary>
    public int[] Channels { get; set; } = [32, 64];

    /// <summary>Square kernel size of every convolution; odd, so "same" padding keeps sizes exact. Default 3.</summary>
    public int KernelSize { get; set; } = 3;

    /// <summary>How encoder blocks downsample. Default <see cref="Models.Downsampling.StridedConvolution"/>.</summary>
    public Downsampling Downsampling { get; set; } = Downsampling.StridedConvolution;

    /// <summary>How decoder blocks upsample. Default <see cref="Models.Upsampling.Nearest"/> (resize then convolve: no checkerboard artifacts).</summary>
    public Upsampling Upsampling { get; set; } = Upsampling.Nearest;

    /// <summary>
    /// Size of the dense bottleneck between the last encoder block and the first decoder block: the latent code.
    /// 0: no bottleneck; the code is the last encoder block's feature map, flattened (a spatial code). Default 32.
    /// </summary>
    public int LatentSize { get; set; } = 32;

    /// <summary>
    /// U-Net skip connections (Ronneberger et al. 2015; the Noise2Noise denoiser): each decoder block also sees the
    /// encoder's feature map of the same size, concatenated by channel. Detail then bypasses the code, which suits
    /// denoising but not anomaly detection; such a decoder cannot decode a code alone. Default <see langword="false"/>.
    /// </summary>
    public bool SkipConnections { get; set; }

    /// <summary>
    /// Hidden convolution blocks at full resolution (each convolution → [batch norm] → activation, <see cref="Channels"/>[0]
    /// maps) before the output convolution. With any, a stride-1 convolution of the input image (a stem beside the encoder)
    /// joins the decoder's last stage like a skip connection, and that stage becomes the first of these blocks. Every other
    /// convolution runs at half resolution or less, so without them the model cannot shape its output pixel by pixel (a
    /// denoiser's correction shows a 2×2 pattern). Such a decoder reads the input, so it cannot decode a code alone.
    /// Default 0 (none); the image denoiser uses 1.
    /// </summary>
    public int FullResolutionBlocks { get; set; }

    /// <summary>Batch normalization after every hidden convolution. Default <see langword="true"/>.</summary>
    public bool UseBatchNormalization { get; set; } = true;

    /// <summary>Nonlinearity of every hidden block and of the bottleneck's expansion. Default <see cref="Activation.LeakyReLU"/>. The output is linear.</summary>
    public Activation Activation { get; set; } = Activation.LeakyReLU;

    /// <summary>Checks every setting, naming the first one out of range.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Channels, nameof(Channels));
        if (Channels.Length == 0)
            throw new ArgumentException("Channels needs at least one encoder block.", nameof(Channels));
        foreach (int channels in Channels)
            if (channels < 1)
                throw new ArgumentOutOfRangeException(nameof(Channels), channels, "Every entry of Channels must be at least 1.");
        if (KernelSize < 1 || KernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(KernelSize), KernelSize, "KernelSize must be a positive odd number.");
        if (LatentSize < 0)
            throw new ArgumentOutOfRangeException(nameof(LatentSize), LatentSize, "LatentSize must be positive, or 0 for a spatial code.");
        if (!Enum.IsDefined(Downsampling))
            throw new ArgumentOutOfRangeException(nameof(Downsampling), Downsampling, "Unknown value.");
        if (!Enum.IsDefined(Upsampling))
            throw new ArgumentOutOfRangeException(nameof(Upsampling), Upsampling, "Unknown value.");
        if (!Enum.IsDefined(Activation))
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "Unknown activation.");
        if (FullResolutionBlocks < 0)
            throw new ArgumentOutOfRangeException(nameof(FullResolutionBlocks), FullResolutionBlocks, "FullResolutionBlocks cannot be negative.");
    }

    /// <summary>A copy with its own <see cref="Channels"/> array.</summary>
    public ConvolutionalArchitecture Clone() => new()
    {
        Channels = Channels.ToArray(),
        KernelSize = KernelSize,
        Downsampling = Downsampling,
        Upsampling = Upsampling,
        LatentSize = LatentSize,
        SkipConnections = SkipConnections,
        FullResolutionBlocks = FullResolutionBlocks,
        UseBatchNormalization = UseBatchNormalization,
        Activation = Activation,
    };

    /// <summary>A compact description such as <c>conv 1x28x28 → 32-64 (k3, strided) → 32 → nearest, LeakyReLU, batch norm</c>.</summary>
    public string Describe(ImageShape image)
    {
        string down = Downsampling switch { Downsampling.StridedConvolution => "strided", Downsampling.MaxPooling => "max pooling", _ => "average pooling" };
        string code = LatentSize > 0 ? LatentSize.ToString(System.Globalization.CultureInfo.InvariantCulture) : "spatial";
        string up = Upsampling switch { Upsampling.Nearest => "nearest", Upsampling.Bilinear => "bilinear", _ => "transposed" };
        string extras = (UseBatchNormalization ? ", batch norm" : "") + (SkipConnections ? ", U-Net skips" : "")
                        + (FullResolutionBlocks > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", {FullResolutionBlocks} full-resolution block{(FullResolutionBlocks > 1 ? "s" : "")}") : "");
        return $"conv {image} → {string.Join("-", Channels)} (k{KernelSize}, {down}) → {code} → {up}, {Activation}{extras}";
    }
}
