namespace Autoencoders.Training.Models;

/// <summary>How a convolutional decoder block doubles the height and width of its input (to the matching encoder size).</summary>
public enum Upsampling
{
    /// <summary>Nearest-neighbour resizing, then a convolution. No checkerboard artifacts (Odena et al. 2016).</summary>
    Nearest,
    /// <summary>Bilinear resizing (half-pixel centres, as PyTorch's <c>align_corners=False</c>), then a convolution.</summary>
    Bilinear,
    /// <summary>A learned stride-2 transposed convolution, then a convolution. Can leave checkerboard artifacts.</summary>
    TransposedConvolution,
}
