namespace Autoencoders.Training.Models;

/// <summary>The layout of image rows: each row is channels × height × width values, channel-major (as ML.NET's ExtractPixels writes them by default).</summary>
/// <param name="Channels">Number of channels (1 for grayscale, 3 for RGB).</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Width">Image width in pixels.</param>
public sealed record ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Values per row: channels × height × width.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>Checks that every dimension is positive and that rows have <paramref name="features"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive or the sizes disagree.</exception>
    public void Check(int? features = null)
    {
        if (Channels < 1 || Height < 1 || Width < 1)
            throw new ArgumentOutOfRangeException(nameof(ImageShape), this, "Channels, Height and Width must be positive.");
        if (features is int f && f != Size)
            throw new ArgumentOutOfRangeException(nameof(ImageShape), this, $"The image shape has {Size} values per row but the rows have {f} features.");
    }

    /// <summary><c>CxHxW</c>.</summary>
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
