using SkiaSharp;

namespace Autoencoders.Examples;

/// <summary>
/// PNG images and captioned image grids for the examples, benchmarks and tests, drawn with SkiaSharp (the imaging library
/// ScottPlot is built on); written against the API common to SkiaSharp 2.88 (what ML.NET's image transforms need) and 3. Pixel values are in [0, 1] (clipped), grayscale unless given as RGB bytes.
/// </summary>
internal static class Images
{
    /// <summary>
    /// Mean over images (rows of <paramref name="images"/> against the same rows of <paramref name="clean"/>) of
    /// 10·log10(1 / MSE), peak 1, the restored values clipped to [0, 1] first; the MSE floored at 1e-10 (100 dB).
    /// </summary>
    public static double Psnr(Autoencoders.Training.Data.FeatureMatrix images, Autoencoders.Training.Data.FeatureMatrix clean)
    {
        double total = 0;
        for (int r = 0; r < images.Rows; r++)
        {
            var a = images.Row(r);
            var b = clean.Row(r);
            double squared = 0;
            for (int i = 0; i < a.Length; i++)
            {
                double d = Math.Clamp(a[i], 0f, 1f) - b[i];
                squared += d * d;
            }
            total += 10 * Math.Log10(1 / Math.Max(squared / a.Length, 1e-10));
        }
        return total / images.Rows;
    }

    /// <summary>Writes a grayscale image (rows × columns, values in [0, 1]).</summary>
    public static void WriteGray(string path, float[,] pixels)
    {
        using var bitmap = new SKBitmap(pixels.GetLength(1), pixels.GetLength(0), SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                byte v = Byte(pixels[y, x]);
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        Save(bitmap, path);
    }

    /// <summary>Writes an RGB image (rows × columns × 3 bytes).</summary>
    public static void WriteRgb(string path, byte[,,] pixels)
    {
        using var bitmap = new SKBitmap(pixels.GetLength(1), pixels.GetLength(0), SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                bitmap.SetPixel(x, y, new SKColor(pixels[y, x, 0], pixels[y, x, 1], pixels[y, x, 2]));
        Save(bitmap, path);
    }

    /// <summary>A row of a grid: a caption on the left, then images (each <c>height × width</c> values, row-major).</summary>
    public sealed record GridRow(string Caption, IReadOnlyList<float[]> Images);

    /// <summary>
    /// Writes rows of grayscale images, each row captioned on its left (e.g. "Gaussian σ=0.3, restored: 24.1 dB"), every
    /// image enlarged <paramref name="scale"/> times with nearest-neighbour pixels.
    /// </summary>
    public static void WriteGrid(string path, IReadOnlyList<GridRow> rows, int height, int width, int scale = 3, string? title = null)
    {
        const int Gap = 4, CaptionWidth = 300, TitleHeight = 28;
        int columns = rows.Max(r => r.Images.Count);
        int cellWidth = width * scale, cellHeight = height * scale;
        int top = title is null ? Gap : TitleHeight;
        var info = new SKImageInfo(CaptionWidth + columns * (cellWidth + Gap) + Gap, top + rows.Count * (cellHeight + Gap));
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 14);
        using var bold = new SKFont(typeface, 16) { Embolden = true };
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        if (title is not null)
            canvas.DrawText(title, Gap, 20, bold, ink);
        for (int r = 0; r < rows.Count; r++)
        {
            int y0 = top + r * (cellHeight + Gap);
            var lines = rows[r].Caption.Split('\n');
            for (int l = 0; l < lines.Length; l++)
                canvas.DrawText(lines[l], Gap, y0 + cellHeight / 2f + (l - (lines.Length - 1) / 2f) * 18 + 5, font, ink);
            for (int c = 0; c < rows[r].Images.Count; c++)
            {
                var image = rows[r].Images[c];
                int x0 = CaptionWidth + c * (cellWidth + Gap);
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        byte v = Byte(image[y * width + x]);
                        using var paint = new SKPaint { Color = new SKColor(v, v, v) };
                        canvas.DrawRect(x0 + x * scale, y0 + y * scale, scale, scale, paint);
                    }
            }
        }
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static byte Byte(float value) => (byte)Math.Round(Math.Clamp(float.IsFinite(value) ? value : 0, 0, 1) * 255);

    private static void Save(SKBitmap bitmap, string path)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
