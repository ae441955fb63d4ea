using Autoencoders.Training.Models;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;

namespace Autoencoders.Training.Onnx;

/// <summary>
/// The ONNX translation of <see cref="ConvolutionalAutoencoder"/>: Reshape to images, Conv / MaxPool or AveragePool / BatchNormalization
/// / activation blocks, Flatten and Gemm for the bottleneck, then Resize (or ConvTranspose and Slice), Concat for U-Net skips and
/// Conv back to the image, flattened. Every shape except the batch is fixed; the batch stays dynamic.
/// </summary>
internal static class ConvolutionalOnnx
{
    /// <summary>Appends encoder and decoder; writes <see cref="OnnxNames.Latent"/> and returns the flat standardized reconstruction.</summary>
    public static string Append(OnnxGraphBuilder g, ConvolutionalAutoencoder model, string standardized, string restored)
    {
        var skips = new List<string>();
        AppendEncoder(g, model, standardized, "", OnnxNames.Latent, skips);
        return AppendDecoder(g, model, OnnxNames.Latent, skips, "image", restored);
    }

    /// <summary>
    /// Appends the encoder alone for <paramref name="standardized"/> rows, its named outputs prefixed with
    /// <paramref name="prefix"/>, writing the code to <paramref name="latent"/>; adds each level's maps to
    /// <paramref name="skips"/> when given. The main graph uses no prefix; the nearest-neighbour score encodes smoothed
    /// images with another, reading the same weights (one initializer each).
    /// </summary>
    public static string AppendEncoder(OnnxGraphBuilder g, ConvolutionalAutoencoder model, string standardized, string prefix, string latent, List<string>? skips = null)
    {
        var image = model.Image;
        var a = model.Architecture;
        var h = g.Node("Reshape", [standardized, g.Initializer("image_shape", [0L, image.Channels, image.Height, image.Width], 4)], prefix + "image");
        for (int i = 0; i < a.Channels.Length; i++)
        {
            var (convolution, norm) = model.EncoderBlock(i);
            h = LayerOnnx.Convolution(g, convolution, h, $"encoder_{i}_conv");
            if (norm is not null)
                h = LayerOnnx.BatchNorm(g, norm, h, $"encoder_{i}_norm");
            h = LayerOnnx.Activate(g, a.Activation, h);
            if (a.Downsampling == Downsampling.MaxPooling)
                h = g.Node("MaxPool", [h], null, Attribute("kernel_shape", [2L, 2L]), Attribute("strides", [2L, 2L]), Attribute("ceil_mode", 1L));
            else if (a.Downsampling == Downsampling.AveragePooling)
                h = g.Node("AveragePool", [h], null, Attribute("kernel_shape", [2L, 2L]), Attribute("strides", [2L, 2L]), Attribute("ceil_mode", 1L),
                    Attribute("count_include_pad", 0L));
            skips?.Add(h); // skips[i] is level i + 1
        }
        var toLatent = model.Bottleneck.ToLatent;
        string flat = g.Node("Flatten", [h], toLatent is null ? latent : prefix + "encoder_flat", Attribute("axis", 1L));
        return toLatent is null ? flat : LayerOnnx.Linear(g, toLatent, flat, "bottleneck_in", latent);
    }

    /// <summary>Appends the decoder from <paramref name="latent"/>; <paramref name="skips"/> holds the encoder maps by level (read by U-Net skips).</summary>
    private static string AppendDecoder(OnnxGraphBuilder g, ConvolutionalAutoencoder model, string latent, IReadOnlyList<string> skips, string image, string restored)
    {
        var a = model.Architecture;
        string? stem = null;
        if (model.HasFullResolution)
        {
            var (stemConvolution, stemNorm) = model.FullResolutionStem;
            stem = LayerOnnx.Convolution(g, stemConvolution, image, "full_resolution_stem_conv");
            if (stemNorm is not null)
                stem = LayerOnnx.BatchNorm(g, stemNorm, stem, "full_resolution_stem_norm");
            stem = LayerOnnx.Activate(g, a.Activation, stem);
        }
        int levels = a.Channels.Length;
        var (deepHeight, deepWidth) = model.Sizes[levels];
        var fromLatent = model.Bottleneck.FromLatent;
        string h = fromLatent is null ? latent : LayerOnnx.Activate(g, a.Activation, LayerOnnx.Linear(g, fromLatent, latent, "bottleneck_out"));
        h = g.Node("Reshape", [h, g.Initializer("deep_shape", [0L, a.Channels[^1], deepHeight, deepWidth], 4)]);
        for (int j = 0; j < levels; j++)
        {
            int target = levels - 1 - j;
            var (upsampler, convolution, norm) = model.DecoderStage(j);
            h = upsampler is not null ? Crop(g, LayerOnnx.Convolution(g, upsampler, h, $"decoder_{j}_upsample"), model.Sizes[target], model.Sizes[target + 1])
                                      : Resize(g, h, model.Sizes[target], a.Upsampling);
            if (model.SkipsInto(target))
                h = g.Node("Concat", [h, skips[target - 1]], null, Attribute("axis", 1L));
            if (target == 0 && stem is not null)
                h = g.Node("Concat", [h, stem], null, Attribute("axis", 1L));
            h = LayerOnnx.Convolution(g, convolution, h, $"decoder_{j}_conv", outputChannels: target == 0 && !model.HasFullResolution ? model.Image.Channels : null);
            if (target > 0 || model.HasFullResolution)
            {
                if (norm is not null)
                    h = LayerOnnx.BatchNorm(g, norm, h, $"decoder_{j}_norm");
                h = LayerOnnx.Activate(g, a.Activation, h);
            }
        }
        for (int b = 0; b < a.FullResolutionBlocks; b++)
        {
            var (convolution, norm) = model.FullResolutionBlock(b);
            bool last = b == a.FullResolutionBlocks - 1;
            h = LayerOnnx.Convolution(g, convolution, h, $"full_resolution_{b}_conv", outputChannels: last ? model.Image.Channels : null);
            if (!last)
            {
                if (norm is not null)
                    h = LayerOnnx.BatchNorm(g, norm, h, $"full_resolution_{b}_norm");
                h = LayerOnnx.Activate(g, a.Activation, h);
            }
        }
        return g.Node("Flatten", [h], restored, Attribute("axis", 1L));
    }

    /// <summary>The transposed convolution's output, 2 × <paramref name="from"/> per side, cut to <paramref name="size"/> (Slice on height and width).</summary>
    private static string Crop(OnnxGraphBuilder g, string input, (int Height, int Width) size, (int Height, int Width) from)
    {
        if (2 * from.Height == size.Height && 2 * from.Width == size.Width)
            return input;
        return g.Node("Slice", [input, g.Initializer(g.UniqueName("crop_starts"), [0L, 0L], 2),
            g.Initializer(g.UniqueName("crop_ends"), [size.Height, (long)size.Width], 2), g.Initializer(g.UniqueName("crop_axes"), [2L, 3L], 2)]);
    }

    /// <summary>
    /// Resize to an exact height and width, as TorchSharp's interpolate with a size does: nearest takes source index
    /// ⌊i · in / out⌋ (asymmetric, floor); bilinear uses half-pixel centres clamped at the border (align_corners false).
    /// The target sizes are [batch, channels] of the input followed by the fixed height and width.
    /// </summary>
    private static string Resize(OnnxGraphBuilder g, string input, (int Height, int Width) size, Upsampling upsampling)
    {
        string leading = g.Node("Shape", [input], null, Attribute("start", 0L), Attribute("end", 2L));
        string sizes = g.Node("Concat", [leading, g.Initializer(g.UniqueName("resize_hw"), [size.Height, (long)size.Width], 2)], null, Attribute("axis", 0L));
        return upsampling == Upsampling.Bilinear
            ? g.Node("Resize", [input, "", "", sizes], null, Attribute("mode", "linear"), Attribute("coordinate_transformation_mode", "pytorch_half_pixel"))
            : g.Node("Resize", [input, "", "", sizes], null, Attribute("mode", "nearest"), Attribute("coordinate_transformation_mode", "asymmetric"), Attribute("nearest_mode", "floor"));
    }
}
