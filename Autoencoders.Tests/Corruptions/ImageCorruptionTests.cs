using Autoencoders.Tests.Support;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using Autoencoders.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Tests.Corruptions;

[TestClass]
public sealed class ImageCorruptionTests
{
    private static readonly ImageShape Shape = new(2, 12, 16);

    /// <summary>Corrupts <paramref name="rows"/> images filled by <paramref name="fill"/>; returns them as [rows][channel][y][x].</summary>
    private static float[,,,] Corrupt(Corruption corruption, int rows, Func<int, int, int, float> fill, ulong seed = 1)
    {
        TorchNativeLibrary.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(seed);
        var values = new float[rows * Shape.Size];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < Shape.Channels; c++)
                for (int y = 0; y < Shape.Height; y++)
                    for (int x = 0; x < Shape.Width; x++)
                        values[((r * Shape.Channels + c) * Shape.Height + y) * Shape.Width + x] = fill(c, y, x);
        var context = new CorruptionContext(generator, torch.zeros(Shape.Size), torch.ones(Shape.Size), Shape);
        corruption.CheckFits(context);
        var result = corruption.Apply(torch.tensor(values, [rows, Shape.Size]), context).contiguous().data<float>().ToArray();
        var images = new float[rows, Shape.Channels, Shape.Height, Shape.Width];
        Buffer.BlockCopy(result, 0, images, 0, result.Length * sizeof(float));
        return images;
    }

    private static IEnumerable<(int Row, int Y, int X)> Pixels(int rows) =>
        from r in Enumerable.Range(0, rows) from y in Enumerable.Range(0, Shape.Height) from x in Enumerable.Range(0, Shape.Width) select (r, y, x);

    [TestMethod]
    public void PixelErasure_ErasesTheFractionOfPixels_AllChannelsTogether()
    {
        var images = Corrupt(Corruption.PixelErasure(0.25), 300, (c, y, x) => 1f + c);
        var erased = Pixels(300).Count(p => images[p.Row, 0, p.Y, p.X] == 0f);
        Assert.AreEqual(0.25, erased / (300.0 * 12 * 16), 0.01);
        Assert.IsTrue(Pixels(300).All(p => (images[p.Row, 0, p.Y, p.X] == 0f) == (images[p.Row, 1, p.Y, p.X] == 0f)));
    }

    [TestMethod]
    public void GaussianBlur_KernelSumsToOne_AndKeepsConstantImages()
    {
        var kernel = GaussianBlur.MakeKernel(1.2);
        Assert.AreEqual(1.0, kernel.Sum(), 1e-6);
        Assert.HasCount(2 * 4 + 1, kernel);
        var constant = Corrupt(Corruption.GaussianBlur(1.2), 2, (c, y, x) => 0.7f);
        Assert.IsTrue(Pixels(2).All(p => Math.Abs(constant[p.Row, 1, p.Y, p.X] - 0.7f) < 1e-6));
        // A single bright pixel spreads into the kernel's outer product and keeps its total.
        var spot = Corrupt(Corruption.GaussianBlur(1.2), 1, (c, y, x) => y == 6 && x == 8 ? 1f : 0f);
        Assert.AreEqual(kernel[4] * kernel[4], spot[0, 0, 6, 8], 1e-6);
        Assert.AreEqual(kernel[4] * kernel[5], spot[0, 0, 6, 9], 1e-6);
        Assert.AreEqual(1.0, Pixels(1).Sum(p => spot[0, 0, p.Y, p.X]), 1e-5);
    }

    [TestMethod]
    public void BlockMasking_MasksOneSquareBlockOfTheGivenSize()
    {
        var images = Corrupt(Corruption.BlockMasking(1, 5, value: -1), 50, (c, y, x) => 1f);
        for (int r = 0; r < 50; r++)
        {
            var masked = Pixels(1).Where(p => images[r, 0, p.Y, p.X] == -1f).ToList();
            Assert.HasCount(25, masked, $"image {r}");
            Assert.AreEqual(4, masked.Max(p => p.Y) - masked.Min(p => p.Y));
            Assert.AreEqual(4, masked.Max(p => p.X) - masked.Min(p => p.X));
        }
        var several = Corrupt(Corruption.BlockMasking(3, 2), 200, (c, y, x) => 1f);
        double share = Pixels(200).Count(p => several[p.Row, 0, p.Y, p.X] == 0f) / (200.0 * 12 * 16);
        Assert.IsTrue(share is > 0.04 and <= 3 * 4 / 192.0, $"{share:F4} of pixels masked by 3 blocks of 2×2 (overlaps allowed)");
    }

    [TestMethod]
    public void PatchMasking_MasksAnExactShareOfWholePatches()
    {
        var images = Corrupt(Corruption.PatchMasking(0.5, 4), 20, (c, y, x) => 1f);
        for (int r = 0; r < 20; r++)
        {
            int maskedPatches = 0;
            for (int py = 0; py < 3; py++)
                for (int px = 0; px < 4; px++)
                {
                    var values = Enumerable.Range(0, 16).Select(i => images[r, 0, py * 4 + i / 4, px * 4 + i % 4]).Distinct().ToList();
                    Assert.HasCount(1, values, "a patch is masked whole or not at all");
                    maskedPatches += values[0] == 0f ? 1 : 0;
                }
            Assert.AreEqual(6, maskedPatches);
        }
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Corrupt(Corruption.PatchMasking(0.5, 5), 1, (c, y, x) => 1f));
    }

    [TestMethod]
    public void Downsample_AveragesBlocksAndRepeatsThem()
    {
        var images = Corrupt(Corruption.Downsample(2), 1, (c, y, x) => y * 16 + x + 100 * c);
        // Block (0,0) of channel 1 holds 100, 101, 116, 117: mean 108.5.
        foreach (var (y, x) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
            Assert.AreEqual(108.5f, images[0, 1, y, x], 1e-4);
        Assert.AreEqual((6 * 16 + 8 + 6 * 16 + 9 + 7 * 16 + 8 + 7 * 16 + 9) / 4f, images[0, 0, 7, 9], 1e-4);
    }

    [TestMethod]
    public void ImageCorruption_WithoutAShape_FailsBeforeTraining()
    {
        var options = new TrainerOptions { NumberOfEpochs = 1, Corruptions = [Corruption.GaussianBlur(1)] };
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => new AutoencoderTrainer(options).Fit(SyntheticData.Normal(20, 12, seed: 1)));
        StringAssert.Contains(error.Message, "ImageShape");
        options.ImageShape = new ImageShape(1, 3, 5);
        Assert.AreEqual("ImageShape", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(options).Fit(SyntheticData.Normal(20, 12, seed: 1))).ParamName);
    }

    [TestMethod]
    public void ImageCorruptions_TrainOnImages()
    {
        var options = new TrainerOptions
        {
            NumberOfEpochs = 2,
            Seed = 1,
            ImageShape = new ImageShape(1, 4, 4),
            Corruptions = [Corruption.Downsample(2), Corruption.PixelErasure(0.1), Corruption.BlockMasking(1, 2), Corruption.PatchMasking(0.25, 2), Corruption.GaussianBlur(0.7)],
        };
        using var trained = new AutoencoderTrainer(options).Fit(SyntheticData.Uniform(100, 16, seed: 1));
        Assert.HasCount(2, trained.History);
    }
}
