using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Autoencoders.Examples;

/// <summary>
/// Writes 8-bit PNG images with nothing but the BCL (shared by the examples and the benchmark program, which links this file).
/// </summary>
internal static class Png
{
    /// <summary>A grayscale image; values in [0, 1] (clipped), indexed [y, x].</summary>
    public static void WriteGray(string path, float[,] pixels)
    {
        int height = pixels.GetLength(0), width = pixels.GetLength(1);
        Write(path, width, height, colorType: 0, (y, row) =>
        {
            for (int x = 0; x < width; x++)
                row[x] = (byte)Math.Round(255 * Math.Clamp(pixels[y, x], 0f, 1f));
        });
    }

    /// <summary>A color image, indexed [y, x, channel] with channels red, green, blue.</summary>
    public static void WriteRgb(string path, byte[,,] pixels)
    {
        int height = pixels.GetLength(0), width = pixels.GetLength(1);
        Write(path, width, height, colorType: 2, (y, row) =>
        {
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                    row[3 * x + c] = pixels[y, x, c];
        });
    }

    private static void Write(string path, int width, int height, byte colorType, Action<int, byte[]> fillRow)
    {
        var row = new byte[width * (colorType == 2 ? 3 : 1)];
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter: none
                fillRow(y, row);
                zlib.Write(row);
            }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;          // bit depth
        header[9] = colorType;  // 0 grayscale, 2 RGB

        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(file, "IHDR", header);
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeBytes.Concat(data)));
        stream.Write(word);
    }

    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(IEnumerable<byte> bytes)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in bytes)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}
