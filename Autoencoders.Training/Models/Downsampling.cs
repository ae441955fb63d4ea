namespace Autoencoders.Training.Models;

/// <summary>How a convolutional encoder block halves the height and width of its input.</summary>
public enum Downsampling
{
    /// <summary>The block's convolution has stride 2.</summary>
    StridedConvolution,
    /// <summary>A stride-1 convolution followed by 2×2 max pooling (rounding up, so odd sizes keep their last row and column).</summary>
    MaxPooling,
    /// <summary>A stride-1 convolution followed by 2×2 average pooling (rounding up; a partial window averages the pixels it covers).</summary>
    AveragePooling,
}
