using System.Globalization;
using System.IO.Compression;
using Autoencoders.Benchmarks.Support;
using Autoencoders.Examples;
using Autoencoders.Training.Models;

namespace Autoencoders.Benchmarks.OneClass;

/// <summary>One evaluation of a one-class split: images with whether each is an anomaly.</summary>
internal sealed record OneClassSplit(List<float[]> Train, List<(float[] Image, bool Anomaly)> Evaluate);

/// <summary>
/// An image development set for one-class anomaly detection besides Fashion-MNIST: its image shape, its classes, and
/// for each class the training images and the images to score, by the test protocol or the validation protocol (which
/// never uses the test protocol's evaluation images: it holds out a fifth of the training images as normals and takes
/// anomalies from a disjoint pool).
/// </summary>
internal abstract class ImageSet
{
    public abstract string Name { get; }

    public abstract ImageShape Shape { get; }

    public abstract IReadOnlyList<string> ClassNames { get; }

    /// <summary>Where the images come from and how a class is split.</summary>
    public abstract string Describe();

    public abstract OneClassSplit Split(int normal, bool validation);

    /// <summary>The sets by name: <c>digits</c>, <c>textures</c>, <c>fashion-mnist-14</c>.</summary>
    public static ImageSet Named(string name) => name switch
    {
        "digits" => Digits.Load(),
        "textures" => new Textures(),
        "fashion-mnist-14" => SmallFashionMnist.Load(),
        _ => throw new ArgumentOutOfRangeException("--sets", name, "Expected fashion-mnist, digits, textures or fashion-mnist-14."),
    };

    /// <summary>A fixed pseudo-random order of <paramref name="count"/> items (Knuth's multiplicative hash of the index).</summary>
    protected static int[] Shuffled(int count, uint salt) =>
        Enumerable.Range(0, count).OrderBy(i => unchecked(((uint)i + salt) * 2654435761u)).ToArray();
}

/// <summary>
/// The 1,797 8×8 handwritten digits of scikit-learn (UCI optdigits' test part, CC BY 4.0; benchmarks/images/digits).
/// Per digit, as the MNIST protocol of the issue that asked for it: 60% of the digit's images (in a fixed shuffled
/// order) train; the test protocol scores the other 40% against the other digits' images of the test pool (half of all
/// images, by a fixed hash); the validation protocol trains on the first 80% of those training images and scores the
/// rest against the other digits' images of the validation pool (the other half).
/// </summary>
internal sealed class Digits(float[][] images, int[] labels) : ImageSet
{
    public override string Name => "digits";

    public override ImageShape Shape => new(1, 8, 8);

    public override IReadOnlyList<string> ClassNames => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    public override string Describe() =>
        "8×8 handwritten digits (scikit-learn / UCI optdigits, 1,797 images): per digit 60% train; test: the other 40% vs the other digits of the test pool";

    public static Digits Load()
    {
        string path = Path.Combine(Repository.Root, "benchmarks", "images", "digits", "digits.csv.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var images = new List<float[]>();
        var labels = new List<int>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var values = line.Split(',');
            if (values.Length != 65)
                throw new InvalidDataException($"{path}: expected 65 values per line, got {values.Length}.");
            images.Add(values.Take(64).Select(v => float.Parse(v, CultureInfo.InvariantCulture) / 16f).ToArray());
            labels.Add(int.Parse(values[64], CultureInfo.InvariantCulture));
        }
        return new Digits([.. images], [.. labels]);
    }

    public override OneClassSplit Split(int normal, bool validation)
    {
        var order = Shuffled(images.Length, 17);
        var ofClass = order.Where(i => labels[i] == normal).ToList();
        int train = (int)Math.Round(0.6 * ofClass.Count);
        // The other digits: even positions of the shuffled order are the test pool, odd ones the validation pool.
        var pool = order.Where((i, position) => labels[i] != normal && position % 2 == (validation ? 1 : 0));
        if (!validation)
            return new(ofClass.Take(train).Select(i => images[i]).ToList(),
                [.. ofClass.Skip(train).Select(i => (images[i], false)), .. pool.Select(i => (images[i], true))]);
        int fit = (int)Math.Round(0.8 * train);
        return new(ofClass.Take(fit).Select(i => images[i]).ToList(),
            [.. ofClass.Skip(fit).Take(train - fit).Select(i => (images[i], false)), .. pool.Select(i => (images[i], true))]);
    }
}

/// <summary>
/// Synthetic 28×28 textures with defects, in the manner of industrial inspection (MVTec AD's texture categories): five
/// kinds of regular texture (stripes, diagonal stripes, checks, dots, a grid) drawn with a random phase, a little random
/// orientation and frequency, contrast and pixel noise. Normal images are clean textures of one kind; anomalies are the
/// same kind with one defect: a spot, a scratch, a flat patch, or a patch of the texture turned by 90°. Generated here
/// from fixed seeds (no licence). Test protocol: 600 training images, 300 normal and 300 defective to score; validation
/// protocol: the first 480 training images, 120 other normal and 120 defective images from their own seeds.
/// </summary>
internal sealed class Textures : ImageSet
{
    private const int Side = 28;

    public override string Name => "textures";

    public override ImageShape Shape => new(1, Side, Side);

    public override IReadOnlyList<string> ClassNames => ["stripes", "diagonal", "checks", "dots", "grid"];

    public override string Describe() =>
        "synthetic 28×28 textures (5 kinds) with defects (spot, scratch, flat patch, turned patch): per kind 600 train; test: 300 normal vs 300 defective";

    public override OneClassSplit Split(int normal, bool validation)
    {
        var train = Generate(normal, 600, defective: false, seed: 1000 * normal + 1);
        if (!validation)
            return new(train, [.. Generate(normal, 300, false, 1000 * normal + 2).Select(i => (i, false)), .. Generate(normal, 300, true, 1000 * normal + 3).Select(i => (i, true))]);
        return new(train.Take(480).ToList(),
            [.. Generate(normal, 120, false, 1000 * normal + 4).Select(i => (i, false)), .. Generate(normal, 120, true, 1000 * normal + 5).Select(i => (i, true))]);
    }

    private static List<float[]> Generate(int kind, int count, bool defective, int seed)
    {
        var random = new Random(seed);
        var images = new List<float[]>(count);
        for (int n = 0; n < count; n++)
        {
            var texture = Texture(kind, random);
            var image = new float[Side * Side];
            double contrast = 0.35 + 0.1 * random.NextDouble();
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                    image[y * Side + x] = (float)(0.5 + contrast * texture(x, y));
            if (defective)
                Defect(image, kind, random, contrast);
            for (int i = 0; i < image.Length; i++)
                image[i] = (float)Math.Clamp(image[i] + 0.04 * Gaussian(random), 0, 1);
            images.Add(image);
        }
        return images;
    }

    /// <summary>A texture of <paramref name="kind"/> in [-1, 1], with its random phase, orientation and frequency.</summary>
    private static Func<double, double, double> Texture(int kind, Random random, double turn = 0)
    {
        double phase = 2 * Math.PI * random.NextDouble(), phase2 = 2 * Math.PI * random.NextDouble();
        double jitter = (random.NextDouble() - 0.5) * 10 * Math.PI / 180 + turn;
        double frequency = 0.16 + 0.04 * random.NextDouble();
        double Along(double x, double y, double angle) => x * Math.Cos(angle) + y * Math.Sin(angle);
        return kind switch
        {
            0 => (x, y) => Math.Sin(2 * Math.PI * frequency * Along(x, y, Math.PI / 2 + jitter) + phase),
            1 => (x, y) => Math.Sin(2 * Math.PI * frequency * Along(x, y, Math.PI / 4 + jitter) + phase),
            2 => (x, y) => Math.Tanh(3 * Math.Sin(2 * Math.PI * frequency * 0.6 * Along(x, y, jitter) + phase)
                                     * Math.Sin(2 * Math.PI * frequency * 0.6 * Along(x, y, Math.PI / 2 + jitter) + phase2)),
            3 => (x, y) => 2 * Math.Exp(-4 * (Square(Math.Sin(Math.PI * frequency * Along(x, y, jitter) + phase))
                                              + Square(Math.Sin(Math.PI * frequency * Along(x, y, Math.PI / 2 + jitter) + phase2)))) - 1,
            _ => (x, y) => 2 * Math.Max(Math.Pow(Math.Cos(Math.PI * frequency * Along(x, y, jitter) + phase), 8),
                                        Math.Pow(Math.Cos(Math.PI * frequency * Along(x, y, Math.PI / 2 + jitter) + phase2), 8)) - 1,
        };
    }

    private static void Defect(float[] image, int kind, Random random, double contrast)
    {
        int cx = 4 + random.Next(Side - 8), cy = 4 + random.Next(Side - 8);
        switch (random.Next(4))
        {
            case 0: // a spot
            {
                double radius = 1.5 + 1.5 * random.NextDouble();
                float value = random.Next(2) == 0 ? 0.05f : 0.95f;
                for (int y = 0; y < Side; y++)
                    for (int x = 0; x < Side; x++)
                        if (Square(x - cx) + Square(y - cy) <= radius * radius)
                            image[y * Side + x] = value;
                break;
            }
            case 1: // a scratch
            {
                double angle = Math.PI * random.NextDouble(), length = 8 + 8 * random.NextDouble();
                float value = random.Next(2) == 0 ? 0.05f : 0.95f;
                for (double t = -length / 2; t <= length / 2; t += 0.25)
                {
                    int x = (int)Math.Round(cx + t * Math.Cos(angle)), y = (int)Math.Round(cy + t * Math.Sin(angle));
                    if (x is >= 0 and < Side && y is >= 0 and < Side)
                        image[y * Side + x] = value;
                }
                break;
            }
            case 2: // a flat patch
            {
                int half = 2 + random.Next(2);
                for (int y = Math.Max(0, cy - half); y <= Math.Min(Side - 1, cy + half); y++)
                    for (int x = Math.Max(0, cx - half); x <= Math.Min(Side - 1, cx + half); x++)
                        image[y * Side + x] = 0.5f;
                break;
            }
            default: // a patch of the texture turned by 90°
            {
                var turned = Texture(kind, random, Math.PI / 2);
                int half = 3 + random.Next(2);
                for (int y = Math.Max(0, cy - half); y <= Math.Min(Side - 1, cy + half); y++)
                    for (int x = Math.Max(0, cx - half); x <= Math.Min(Side - 1, cx + half); x++)
                        image[y * Side + x] = (float)(0.5 + contrast * turned(x, y));
                break;
            }
        }
    }

    private static double Square(double value) => value * value;

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>
/// Fashion-MNIST at half size: every image averaged over 2 × 2 blocks to 14 × 14 (Debian's dataset-fashion-mnist, MIT),
/// to see the image defaults at a size between the digits' 8 and Fashion-MNIST's 28 pixels. Smaller than the full
/// protocol, to run in minutes: per class the first 2,000 training images of the class train; the test protocol scores
/// the first 2,000 test images (about 200 of the class, the rest anomalies); the validation protocol trains on the first
/// 1,600 of those training images and scores the other 400 against 400 training images of the other classes.
/// </summary>
internal sealed class SmallFashionMnist(float[][] train, byte[] trainLabels, float[][] test, byte[] testLabels) : ImageSet
{
    private const int Side = FashionMnist.Side / 2;
    private const int TrainPerClass = 2000;
    private const int TestImages = 2000;

    public override string Name => "fashion-mnist-14";

    public override ImageShape Shape => new(1, Side, Side);

    public override IReadOnlyList<string> ClassNames => FashionMnist.ClassNames;

    public override string Describe() =>
        $"Fashion-MNIST averaged to {Side}×{Side}: per class {TrainPerClass} training images; test: the first {TestImages} test images";

    public static SmallFashionMnist Load()
    {
        var (train, trainLabels) = FashionMnist.Load(training: true);
        var (test, testLabels) = FashionMnist.Load(training: false, limit: TestImages);
        return new([.. Enumerable.Range(0, train.Rows).Select(r => Halve(train.Row(r)))], trainLabels,
            [.. Enumerable.Range(0, test.Rows).Select(r => Halve(test.Row(r)))], testLabels);
    }

    private static float[] Halve(ReadOnlySpan<float> image)
    {
        var half = new float[Side * Side];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
                half[y * Side + x] = (image[2 * y * FashionMnist.Side + 2 * x] + image[2 * y * FashionMnist.Side + 2 * x + 1]
                    + image[(2 * y + 1) * FashionMnist.Side + 2 * x] + image[(2 * y + 1) * FashionMnist.Side + 2 * x + 1]) / 4;
        return half;
    }

    public override OneClassSplit Split(int normal, bool validation)
    {
        var ofClass = Enumerable.Range(0, train.Length).Where(i => trainLabels[i] == normal).Take(TrainPerClass).ToList();
        if (!validation)
            return new(ofClass.Select(i => train[i]).ToList(), [.. Enumerable.Range(0, test.Length).Select(i => (test[i], testLabels[i] != normal))]);
        int fit = TrainPerClass * 4 / 5;
        var others = Enumerable.Range(0, train.Length).Where(i => trainLabels[i] != normal).OrderBy(i => (i * 2654435761u) % 1000003).Take(TrainPerClass - fit);
        return new(ofClass.Take(fit).Select(i => train[i]).ToList(),
            [.. ofClass.Skip(fit).Select(i => (train[i], false)), .. others.Select(i => (train[i], true))]);
    }
}
