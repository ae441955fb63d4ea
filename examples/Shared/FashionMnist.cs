using System.Buffers.Binary;
using System.IO.Compression;
using Autoencoders.Training.Data;

namespace Autoencoders.Examples;

/// <summary>
/// Reads Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017, MIT licence) from the IDX files that Debian's
/// <c>dataset-fashion-mnist</c> package installs (<c>benchmarks/setup</c> and <c>.ci/setup</c> install it). Pixels are
/// scaled to [0, 1]. Shared by the examples and the benchmark program, which link this file.
/// </summary>
internal static class FashionMnist
{
    public const string Directory = "/usr/share/datasets/fashion-mnist";
    public const int Side = 28;
    public const int Pixels = Side * Side;

    /// <summary>The names of the ten classes, by label.</summary>
    public static readonly IReadOnlyList<string> ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The training (60,000) or test (10,000) images and labels, the first <paramref name="limit"/> of them when given.</summary>
    public static (FeatureMatrix Images, byte[] Labels) Load(bool training, int? limit = null)
    {
        string prefix = training ? "train" : "t10k";
        string images = Path.Combine(Directory, $"{prefix}-images-idx3-ubyte.gz");
        string labels = Path.Combine(Directory, $"{prefix}-labels-idx1-ubyte.gz");
        if (!File.Exists(images) || !File.Exists(labels))
            throw new FileNotFoundException($"Fashion-MNIST is not installed under {Directory}: install Debian's dataset-fashion-mnist package (sudo apt-get install dataset-fashion-mnist, or run benchmarks/setup).", images);

        byte[] imageBytes = ReadGzip(images);
        CheckHeader(imageBytes, 0x00000803, images);
        int count = BinaryPrimitives.ReadInt32BigEndian(imageBytes.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(imageBytes.AsSpan(8));
        int columns = BinaryPrimitives.ReadInt32BigEndian(imageBytes.AsSpan(12));
        if (rows != Side || columns != Side || imageBytes.Length != 16 + count * Pixels)
            throw new InvalidDataException($"{images}: expected {count} images of {Side}×{Side}.");
        byte[] labelBytes = ReadGzip(labels);
        CheckHeader(labelBytes, 0x00000801, labels);
        if (BinaryPrimitives.ReadInt32BigEndian(labelBytes.AsSpan(4)) != count || labelBytes.Length != 8 + count)
            throw new InvalidDataException($"{labels}: expected {count} labels.");

        int n = Math.Min(count, limit ?? count);
        var values = new float[n * Pixels];
        for (int i = 0; i < values.Length; i++)
            values[i] = imageBytes[16 + i] / 255f;
        return (new FeatureMatrix(values, n, Pixels), labelBytes[8..(8 + n)]);
    }

    private static byte[] ReadGzip(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    private static void CheckHeader(byte[] bytes, int magic, string path)
    {
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(bytes) != magic)
            throw new InvalidDataException($"{path} is not an IDX file of the expected kind.");
    }
}
