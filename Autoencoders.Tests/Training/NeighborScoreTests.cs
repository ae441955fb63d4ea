using Autoencoders.Tests.Support;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Scores;
using Autoencoders.Training.Trainers;

namespace Autoencoders.Tests.Training;

/// <summary>The nearest-neighbour score: its definition, the exported graph against TorchSharp, and its detection.</summary>
[TestClass]
public sealed class NeighborScoreTests
{
    private static TrainerOptions Options(int maxReference = 4096, int neighbors = 3) => new()
    {
        NumberOfEpochs = 5, Seed = 4, HiddenLayerSizes = [12], LatentSize = 3, ScoreKind = ScoreKind.NearestNeighbors,
        Neighbors = { Count = neighbors, Reference = NeighborReference.TrainingRows, ReferenceSize = maxReference },
    };

    [TestMethod]
    [DataRow(false, false, 0.0, false)]
    [DataRow(true, false, 0.3, false)]
    [DataRow(false, true, 0.3, false)]
    [DataRow(false, false, 0.3, false)]
    [DataRow(false, false, 0.3, true)]
    public void OnnxRuntime_AgreesWithTorchSharp(bool capped, bool noHiddenLayer, double reconstructionWeight, bool residual)
    {
        var options = Options(maxReference: capped ? 40 : 4096);
        options.Neighbors.ReconstructionWeight = reconstructionWeight;
        options.Residual = residual;
        if (noHiddenLayer)
            options.HiddenLayerSizes = [];
        var training = SyntheticData.Normal(120, 7, seed: 1);
        using var trained = new AutoencoderTrainer(options).Fit(training);
        Assert.AreEqual(ScoreKind.NearestNeighbors, trained.ScoreKind);
        var data = new FeatureMatrix(SyntheticData.Normal(30, 7, seed: 2).Values.Concat(SyntheticData.Anomalies(10, 7, seed: 3).Values)
            .Concat(training.Values.Take(7 * 10)).ToArray(), 50, 7);
        var expected = trained.Score(data);
        var model = trained.ExportOnnx(1f);
        var actual = Ort.Run(model.ToBytes(), data, out _)[OnnxNames.Score];
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"row {i}");
        StringAssert.StartsWith(model.Metadata[OnnxNames.ScoreKey], "nearest_neighbors");
        StringAssert.Contains(model.Metadata[OnnxNames.ScoreKey], capped ? "of 40 stored" : "of 120 stored");
        Assert.AreEqual(reconstructionWeight > 0, model.Metadata[OnnxNames.ScoreKey].Contains("reconstruction error", StringComparison.Ordinal));
        OnnxChecker.AssertAccepts(model.ToBytes());
    }

    /// <summary>
    /// The definition, computed by brute force in double precision: for each row, the mean distance to its k nearest stored
    /// rows (a stored row excluding itself), standardized by the stored rows' own mean and deviation, in the input and in
    /// the hidden layer, added; plus the weighted reconstruction term (<see cref="ExpectedReconstructionTerm"/>). With all
    /// rows stored, the training rows' scores average 0 in each part.
    /// </summary>
    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.2)]
    [DataRow(1.5)]
    public void TrainingRows_AreScoredLeaveOneOut_AndStandardized(double reconstructionWeight)
    {
        var options = Options(neighbors: 4);
        options.HiddenLayerSizes = [];   // the hidden features are then the code, which Predict gives
        options.Neighbors.ReconstructionWeight = reconstructionWeight;
        var training = SyntheticData.Normal(60, 6, seed: 7);
        using var trained = new AutoencoderTrainer(options).Fit(training);
        var scores = trained.Score(training);
        var standardized = trained.Standardizer.Transform(training);
        var codes = trained.Predict(training).Latent;
        double[] Distances(FeatureMatrix points) => Enumerable.Range(0, points.Rows).Select(i =>
            Enumerable.Range(0, points.Rows).Where(j => j != i)
                .Select(j => Math.Sqrt(Enumerable.Range(0, points.Columns).Sum(c => Math.Pow(points.Row(i)[c] - points.Row(j)[c], 2))))
                .Order().Take(4).Average()).ToArray();
        double[] Z(double[] d) { double m = d.Average(), s = Math.Sqrt(d.Average(v => (v - m) * (v - m))); return d.Select(v => (v - m) / s).ToArray(); }
        var input = Z(Distances(standardized));
        var hidden = Z(Distances(codes));
        var errors = trained.Predict(training).FeatureErrors;
        var reconstruction = ExpectedReconstructionTerm(errors, reconstructionWeight);
        for (int i = 0; i < scores.Length; i++)
            Assert.AreEqual(input[i] + hidden[i] + reconstruction[i], scores[i], 2e-3, $"row {i}");
        Assert.AreEqual(0, scores.Average(), 1e-4);
        if (reconstructionWeight > 0)
        {
            // The term counts, and it is not the plain mean squared error standardized: both would score otherwise.
            Assert.IsGreaterThan(0.05, Enumerable.Range(0, scores.Length).Max(i => Math.Abs(input[i] + hidden[i] - scores[i])));
            var plain = Z(Enumerable.Range(0, 60).Select(i => errors.Row(i).ToArray().Average(v => (double)v)).ToArray());
            Assert.IsGreaterThan(0.05, Enumerable.Range(0, scores.Length).Max(i => Math.Abs(input[i] + hidden[i] + reconstructionWeight * plain[i] - scores[i])));
        }
        StringAssert.Contains(trained.ExportOnnx(1f).Metadata[OnnxNames.ScoreKey], reconstructionWeight > 0
            ? $"+ {reconstructionWeight.ToString(System.Globalization.CultureInfo.InvariantCulture)} z(mean over features of the squared reconstruction error" : "; z =");
    }

    /// <summary>
    /// The reconstruction term's normalizers: a feature rebuilt (almost) exactly counts as if its mean error were 1% of the
    /// features' average, not as a division by ~0; when every error is 0 the term is 0 for any row, not a huge number.
    /// </summary>
    [TestMethod]
    public void ReconstructionTerm_FloorsTinyErrors_AndVanishesWhenAllAreZero()
    {
        Autoencoders.Training.Native.TorchNativeLibrary.EnsureLoaded();
        // Stored rows' squared errors, 4 rows × 3 features: means 2, 1 and 0.
        using var errors = TorchSharp.torch.tensor(new float[] { 1, 2, 0, 3, 0, 0, 2, 1, 0, 2, 1, 0 }, [4, 3]);
        var term = ReconstructionTerm.Build(errors, 0.5f);
        double floor = 0.01 * (2 + 1 + 0) / 3.0;
        CollectionAssert.AreEqual(new[] { 1 / (3 * 2.0), 1 / (3 * 1.0), 1 / (3 * floor) }.Select(v => Math.Round(v, 3)).ToArray(),
            term.Scales.Select(v => Math.Round((double)v, 3)).ToArray());
        // Stored rows' normalized errors: (1/2 + 2/1 + 0) / 3 = 5/6, (3/2 + 0) / 3 = 1/2, (2/2 + 1) / 3 = 2/3, 2/3.
        double[] stored = [5 / 6.0, 1 / 2.0, 2 / 3.0, 2 / 3.0];
        double mean = stored.Average(), deviation = Math.Sqrt(stored.Average(v => (v - mean) * (v - mean)));
        Assert.AreEqual(mean, term.Statistics.Mean, 1e-6);
        Assert.AreEqual(deviation, term.Statistics.Deviation, 1e-6);
        using var query = TorchSharp.torch.tensor(new float[] { 0, 0, 0.01f }, [1, 3]);
        using var score = term.Score(query);
        Assert.AreEqual(0.5 * (0.01 / (3 * floor) - mean) / deviation, score.item<float>(), 1e-4);

        using var zeros = TorchSharp.torch.zeros(4, 3);
        var none = ReconstructionTerm.Build(zeros, 0.5f);
        Assert.IsTrue(none.Scales.All(v => v == 0));
        using var anything = TorchSharp.torch.tensor(new float[] { 5, 7, 9 }, [1, 3]);
        using var nothing = none.Score(anything);
        Assert.AreEqual(0f, nothing.item<float>());
    }

    /// <summary>
    /// The reconstruction term by its definition, in double precision: each row's squared errors <paramref name="errors"/>
    /// (standardized units), each divided by that feature's mean over the rows (at least 1% of the features' average), averaged
    /// over the features, standardized by the rows' own mean and deviation, times <paramref name="weight"/>.
    /// </summary>
    private static double[] ExpectedReconstructionTerm(FeatureMatrix errors, double weight)
    {
        if (weight == 0)
            return new double[errors.Rows];
        var means = Enumerable.Range(0, errors.Columns).Select(j => Enumerable.Range(0, errors.Rows).Average(i => (double)errors.Row(i)[j])).ToArray();
        double floor = 0.01 * means.Average();
        var normalized = Enumerable.Range(0, errors.Rows)
            .Select(i => Enumerable.Range(0, errors.Columns).Average(j => errors.Row(i)[j] / Math.Max(means[j], floor))).ToArray();
        return Z(normalized).Select(v => weight * v).ToArray();
    }

    /// <summary>
    /// Image rows are compared smoothed and shifted: the input distance between two rows is the smallest, over the first
    /// row's shifts by up to <c>shift</c> pixels each way (edges replicated), of the distance between the standardized
    /// images blurred, channel by channel, by the 2-D Gaussian with edges replicated (computed here directly, in double
    /// precision, with clamped indices, not separably and by padding as the library does); the hidden part compares the
    /// codes of the smoothed images, unshifted; with <c>edges</c>, a third part compares the smoothed images'
    /// edge-orientation histograms (<see cref="EdgeHistogram"/>).
    /// </summary>
    [TestMethod]
    [DataRow(28, 28, 1.0, 1)]      // the size the defaults were chosen at (Fashion-MNIST)
    [DataRow(8, 8, 8 / 28.0, 0)]   // scikit-learn's digits: next to no blur, no shift
    [DataRow(14, 20, 0.5, 0)]      // the shorter side counts; half a pixel rounds to even
    [DataRow(15, 15, 15 / 28.0, 1)]
    [DataRow(42, 42, 1.5, 2)]
    [DataRow(13, 13, 13 / 28.0, 0)]
    [DataRow(64, 64, 64 / 28.0, 2)]
    [DataRow(224, 224, 8.0, 2)]    // the shift stays at MaxAutomaticShift
    public void ImageBlurAndShift_ScaleWithTheImageSize(int height, int width, double sigma, int shift)
    {
        var image = new ImageShape(3, height, width);
        Assert.AreEqual(sigma, NeighborScoreOptions.Defaults.AutomaticSmoothing(image), 1e-12);
        Assert.AreEqual(shift, NeighborScoreOptions.Defaults.AutomaticShift(image));
    }

    [TestMethod]
    public void ImagesScoredByNeighbors_AreStandardizedPerChannel_OtherRowsPerFeature()
    {
        var shape = new ImageShape(2, 3, 4);
        var training = SyntheticData.Normal(40, shape.Size, seed: 3);
        for (int r = 0; r < training.Rows; r++)
            for (int j = 0; j < shape.Size; j++)
                training.Row(r)[j] = training.Row(r)[j] * (1 + j % 5) + j;   // every pixel its own mean and spread
        TrainerOptions Make(ImageShape? image, ScoreKind kind) => new()
        {
            NumberOfEpochs = 1, Seed = 1, HiddenLayerSizes = [], LatentSize = 2, ImageShape = image, ScoreKind = kind,
        };
        bool PerChannel(TrainerOptions options)
        {
            using var trained = new AutoencoderTrainer(options).Fit(training);
            var mean = trained.Standardizer.Mean;
            return Enumerable.Range(0, shape.Channels).All(c => mean.Skip(c * 12).Take(12).Distinct().Count() == 1);
        }
        Assert.IsTrue(PerChannel(Make(shape, ScoreKind.NearestNeighbors)), "images scored by neighbours");
        Assert.IsFalse(PerChannel(Make(shape, ScoreKind.ReconstructionError)), "images scored by reconstruction error");
        Assert.IsFalse(PerChannel(Make(null, ScoreKind.NearestNeighbors)), "table rows");
        var explicitPerFeature = Make(shape, ScoreKind.NearestNeighbors);
        explicitPerFeature.Standardization = Standardization.PerFeature;
        Assert.IsFalse(PerChannel(explicitPerFeature), "asked for per feature");
    }

    [TestMethod]
    [DataRow(1.0, 0, false, 4, 5, true)]
    [DataRow(0.7, 0, false, 4, 5, true)]
    [DataRow(1.0, 1, false, 4, 5, true)]
    [DataRow(0.0, 2, false, 4, 5, true)]
    [DataRow(0.0, 0, true, 4, 5, true)]
    [DataRow(1.0, 1, true, 9, 10, true)]   // 2 × 2-pixel cells, the last row of cells completed by the edge
    [DataRow(0.0, 0, true, 22, 9, true)]   // 4 × 2-pixel cells overhanging by one row at the top and bottom, one column at the right
    [DataRow(1.0, 1, true, 9, 10, false)]  // the default for images: no hidden-feature space
    [DataRow(1.0, 1, false, 4, 5, false)]
    public void ImageRows_AreComparedSmoothedAndShifted(double sigma, int shift, bool edges, int height, int width, bool hiddenFeatures)
    {
        var shape = new ImageShape(2, height, width);
        var options = Options(neighbors: 3);
        options.HiddenLayerSizes = [];
        options.ImageShape = shape;
        // Per pixel (the automatic choice for such images is per channel): on these noise images the pixels' own scales
        // make the shifted comparison differ clearly from the in-place one, which the test checks so that it can fail.
        options.Standardization = Standardization.PerFeature;
        options.Neighbors.HiddenFeatures = hiddenFeatures ? true : null;   // null: automatic, which leaves them out for images
        options.Neighbors.Smoothing = sigma;
        options.Neighbors.Shift = shift;
        options.Neighbors.EdgeHistograms = edges;
        options.Neighbors.ReconstructionWeight = edges ? 0.5 : 0;   // with and without the reconstruction term
        var training = SyntheticData.Normal(50, shape.Size, seed: 11);
        using var trained = new AutoencoderTrainer(options).Fit(training);
        var scores = trained.Score(training);
        var standardized = trained.Standardizer.Transform(training);
        var codes = trained.Predict(training).Latent;

        int radius = (int)Math.Ceiling(3 * sigma);
        var weights = sigma > 0 ? Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray() : [1.0];
        double total = weights.Sum();
        double[] Blur(ReadOnlySpan<float> row)
        {
            var image = row.ToArray();
            var blurred = new double[image.Length];
            for (int c = 0; c < shape.Channels; c++)
            for (int y = 0; y < shape.Height; y++)
            for (int x = 0; x < shape.Width; x++)
            {
                double sum = 0;
                for (int i = -radius; i <= radius; i++)
                for (int j = -radius; j <= radius; j++)
                {
                    int yy = Math.Clamp(y + i, 0, shape.Height - 1), xx = Math.Clamp(x + j, 0, shape.Width - 1);
                    sum += weights[i + radius] * weights[j + radius] / (total * total) * image[(c * shape.Height + yy) * shape.Width + xx];
                }
                blurred[(c * shape.Height + y) * shape.Width + x] = sum;
            }
            return blurred;
        }
        var smoothed = Enumerable.Range(0, standardized.Rows).Select(r => Blur(standardized.Row(r))).ToArray();
        // The codes of the smoothed images: back to the original scale, then through the model.
        var mean = trained.Standardizer.Mean;
        var scale = trained.Standardizer.Scale;
        var smoothedImages = new FeatureMatrix(smoothed.SelectMany(row => row.Select((v, j) => (float)(v / scale[j] + mean[j]))).ToArray(), smoothed.Length, shape.Size);
        var smoothedCodes = trained.Predict(smoothedImages).Latent;
        var latent = Enumerable.Range(0, smoothedCodes.Rows).Select(r => smoothedCodes.Row(r).ToArray().Select(v => (double)v).ToArray()).ToArray();
        // Row i moved by (dy, dx): pixel (y, x) is the original's (y + dy, x + dx), clamped to the image.
        double[] Shift(double[] image, int dy, int dx)
        {
            var moved = new double[image.Length];
            for (int c = 0; c < shape.Channels; c++)
            for (int y = 0; y < shape.Height; y++)
            for (int x = 0; x < shape.Width; x++)
                moved[(c * shape.Height + y) * shape.Width + x] =
                    image[(c * shape.Height + Math.Clamp(y + dy, 0, shape.Height - 1)) * shape.Width + Math.Clamp(x + dx, 0, shape.Width - 1)];
            return moved;
        }
        var shifted = smoothed.Select(image => (from dy in Enumerable.Range(-shift, 2 * shift + 1)
                                                from dx in Enumerable.Range(-shift, 2 * shift + 1)
                                                select Shift(image, dy, dx)).ToArray()).ToArray();
        var input = Z(LeaveOneOutDistances(shifted, smoothed, 3));
        var hidden = hiddenFeatures ? Z(LeaveOneOutDistances(latent, 3)) : new double[scores.Length];
        var edgeTerm = edges ? Z(LeaveOneOutDistances(smoothed.Select(image => EdgeHistogram(image, shape)).ToArray(), 3)) : new double[scores.Length];
        // The reconstruction term reads the unsmoothed rows' errors.
        var reconstruction = ExpectedReconstructionTerm(trained.Predict(training).FeatureErrors, options.Neighbors.ReconstructionWeight);
        for (int i = 0; i < scores.Length; i++)
            Assert.AreEqual(input[i] + hidden[i] + edgeTerm[i] + reconstruction[i], scores[i], 3e-3, $"row {i}");
        if (edges)  // without the edge histograms, the same model scores differently
            Assert.IsGreaterThan(0.05, Enumerable.Range(0, scores.Length).Max(i => Math.Abs(input[i] + hidden[i] + reconstruction[i] - scores[i])));

        // Unsmoothed and unshifted, the same model scores differently (so the test above can fail).
        var plain = Z(LeaveOneOutDistances(Enumerable.Range(0, standardized.Rows).Select(r => standardized.Row(r).ToArray().Select(v => (double)v).ToArray()).ToArray(), 3));
        var plainHidden = hiddenFeatures ? Z(LeaveOneOutDistances(Enumerable.Range(0, codes.Rows).Select(r => codes.Row(r).ToArray().Select(v => (double)v).ToArray()).ToArray(), 3)) : new double[scores.Length];
        if (sigma > 0 || shift > 0)
            Assert.IsGreaterThan(0.05, Enumerable.Range(0, scores.Length).Max(i => Math.Abs(plain[i] + plainHidden[i] + edgeTerm[i] + reconstruction[i] - scores[i])));
        if (shift > 0)
        {
            // Smoothed but unshifted, too.
            var inPlace = Z(LeaveOneOutDistances(smoothed, 3));
            Assert.IsGreaterThan(0.05, Enumerable.Range(0, scores.Length).Max(i => Math.Abs(inPlace[i] + hidden[i] + edgeTerm[i] + reconstruction[i] - scores[i])));
        }
    }

    /// <summary>
    /// The edge-orientation histogram of one smoothed image, by the definition: at each pixel the gradient by central
    /// differences (indices clamped to the image), its positive part along each of 8 directions θ = 45° o; each cell of
    /// ⌈height / 7⌉ × ⌈width / 7⌉ pixels averages it (the grid centred on the image, the odd pixel of overhang at the bottom
    /// or right; pixels beyond the image repeat its edge); the square
    /// root of each average, the vector (channel, direction, cell row, cell column) divided by √(‖v‖² + 10⁻⁴ n), n its length.
    /// </summary>
    private static double[] EdgeHistogram(double[] image, ImageShape shape)
    {
        int h = shape.Height, w = shape.Width, cellHeight = (h + 6) / 7, cellWidth = (w + 6) / 7;
        int rows = (h + cellHeight - 1) / cellHeight, columns = (w + cellWidth - 1) / cellWidth;
        int top = (rows * cellHeight - h) / 2, left = (columns * cellWidth - w) / 2;
        double Pixel(int c, int y, int x) => image[(c * h + Math.Clamp(y, 0, h - 1)) * w + Math.Clamp(x, 0, w - 1)];
        var histogram = new List<double>();
        for (int c = 0; c < shape.Channels; c++)
            for (int o = 0; o < 8; o++)
            {
                double angle = Math.PI * o / 4;
                double Directional(int y, int x)
                {
                    y = Math.Clamp(y - top, 0, h - 1);
                    x = Math.Clamp(x - left, 0, w - 1);
                    double gx = (Pixel(c, y, x + 1) - Pixel(c, y, x - 1)) / 2, gy = (Pixel(c, y + 1, x) - Pixel(c, y - 1, x)) / 2;
                    return Math.Max(0, Math.Cos(angle) * gx + Math.Sin(angle) * gy);
                }
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < columns; j++)
                    {
                        double sum = 0;
                        for (int y = i * cellHeight; y < (i + 1) * cellHeight; y++)
                            for (int x = j * cellWidth; x < (j + 1) * cellWidth; x++)
                                sum += Directional(y, x);
                        histogram.Add(Math.Sqrt(sum / (cellHeight * cellWidth)));
                    }
            }
        double length = Math.Sqrt(histogram.Sum(v => v * v) + 1e-4 * histogram.Count);
        return histogram.Select(v => v / length).ToArray();
    }

    /// <summary>
    /// Edge-orientation histograms see outlines, not brightness or contrast: an image and the same image brighter and with
    /// twice the contrast have the same histograms; a blank image has (nearly) zeros, not NaN or rounding scaled up; the histograms have unit length.
    /// </summary>
    [TestMethod]
    public void EdgeHistograms_IgnoreBrightnessAndContrast()
    {
        var shape = new ImageShape(1, 14, 14);   // 2 × 2-pixel cells, 7 × 7 of them
        var comparison = new ImageComparison(shape, 0, 0, true);
        var image = SyntheticData.Normal(1, shape.Size, seed: 3).Values;
        Autoencoders.Training.Native.TorchNativeLibrary.EnsureLoaded();
        var rows = image.Concat(image.Select(v => 2 * v + 5)).Concat(new float[shape.Size].Select(_ => 1.5f)).ToArray();
        using var x = TorchSharp.torch.tensor(rows, [3, shape.Size]);
        using var histograms = comparison.EdgeHistograms(x);
        var values = histograms.data<float>().ToArray();
        int width = comparison.EdgeWidth;
        Assert.AreEqual(8 * 7 * 7, width);
        for (int j = 0; j < width; j++)
        {
            Assert.AreEqual(values[j], values[width + j], 1e-5, $"value {j}");
            Assert.AreEqual(0f, values[2 * width + j], 1e-3, $"blank image, value {j}");
        }
        Assert.AreEqual(1, Math.Sqrt(values.Take(width).Sum(v => (double)v * v)), 1e-3);
        CollectionAssert.AreEqual(EdgeHistogram(image.Select(v => (double)v).ToArray(), shape).Select(v => Math.Round(v, 4)).ToArray(),
            values.Take(width).Select(v => Math.Round((double)v, 4)).ToArray());
    }

    private static double[] LeaveOneOutDistances(double[][] points, int k) =>
        LeaveOneOutDistances(points.Select(p => new[] { p }).ToArray(), points, k);

    /// <summary>
    /// For each row i, the mean of its k smallest distances to the other rows <paramref name="points"/>[j], each the
    /// smallest over row i's <paramref name="positions"/>.
    /// </summary>
    private static double[] LeaveOneOutDistances(double[][][] positions, double[][] points, int k) => Enumerable.Range(0, points.Length).Select(i =>
        Enumerable.Range(0, points.Length).Where(j => j != i)
            .Select(j => positions[i].Min(p => Math.Sqrt(p.Zip(points[j], (a, b) => (a - b) * (a - b)).Sum())))
            .Order().Take(k).Average()).ToArray();

    private static double[] Z(double[] d)
    {
        double m = d.Average(), s = Math.Sqrt(d.Average(v => (v - m) * (v - m)));
        return d.Select(v => (v - m) / s).ToArray();
    }

    /// <summary>The smoothing of image rows, exported: ONNX Runtime agrees with TorchSharp, dense and convolutional, and the checker passes.</summary>
    [TestMethod]
    [DataRow("dense", 1.0, 1, true)]
    [DataRow("dense", 1.0, 0, false)]
    [DataRow("dense", 0.0, 0, true)]
    [DataRow("dense without hidden layers", 1.0, 2, true)]
    [DataRow("variational without hidden layers", 1.0, 1, true)]
    [DataRow("convolutional", 1.0, 1, true)]
    [DataRow("convolutional", 0.0, 0, false)]
    [DataRow("convolutional", 0.0, 1, true)]
    [DataRow("dense on 1x2x3 images", 2.5, 3, true)] // the blur's radius (8) and the shifts far beyond the image: edges replicated all the way
    [DataRow("dense on 3x9x10 images", 1.0, 1, true)] // 2 × 2-pixel histogram cells, the last row completed by the edge
    [DataRow("dense on 1x22x9 images", 1.0, 0, true)] // 4 × 2-pixel cells overhanging by one row at the top and bottom
    [DataRow("convolutional, 1,100 rows", 1.0, 1, true)] // stored and scored in chunks of 512 rows, which the graph does not do
    [DataRow("dense, default spaces", 1.0, 1, true)]     // the default for images: no hidden-feature space
    [DataRow("convolutional, default spaces", 1.0, 1, false)]
    public void ImageRows_OnnxRuntime_AgreesWithTorchSharp(string kind, double smoothing, int shift, bool edges)
    {
        bool convolutional = kind.StartsWith("convolutional", StringComparison.Ordinal);
        bool hidden = !kind.EndsWith("default spaces", StringComparison.Ordinal);
        bool many = kind.EndsWith("1,100 rows", StringComparison.Ordinal);
        var shape = kind.EndsWith("1x2x3 images", StringComparison.Ordinal) ? new ImageShape(1, 2, 3)
            : kind.EndsWith("3x9x10 images", StringComparison.Ordinal) ? new ImageShape(3, 9, 10)
            : kind.EndsWith("1x22x9 images", StringComparison.Ordinal) ? new ImageShape(1, 22, 9) : new ImageShape(2, 8, 8);
        var options = Options();
        options.ImageShape = shape;
        options.Neighbors.Smoothing = smoothing;
        options.Neighbors.Shift = shift;
        options.Neighbors.EdgeHistograms = edges;
        options.Neighbors.HiddenFeatures = hidden ? true : null;
        options.Neighbors.ReconstructionWeight = edges ? 0.4 : 0;   // with and without the reconstruction term, dense and convolutional
        // Per feature: the synthetic features' means differ far more than rows do, so per channel (a convolutional model's
        // default) the rows would all but coincide, their codes too, and each distance — divided by the training distances'
        // deviation — would be float rounding.
        options.Standardization = Standardization.PerFeature;
        if (kind.EndsWith("without hidden layers", StringComparison.Ordinal))
            options.HiddenLayerSizes = [];
        options.Variational = kind.StartsWith("variational", StringComparison.Ordinal);
        if (convolutional)
        {
            options.HiddenLayerSizes = null;   // the dense settings stay at their defaults
            options.LatentSize = 0;
            // With 1,100 rows in a 3-unit code, nearest codes are ~0.01 apart and the distance formula's float rounding moves
            // a standardized distance by up to 5e-4; 16 units keep them apart.
            options.Convolutional = new ConvolutionalArchitecture { Channels = [4], LatentSize = many ? 16 : 3 };
        }
        var training = SyntheticData.Normal(many ? 1100 : 80, shape.Size, seed: 5);
        using var trained = new AutoencoderTrainer(options).Fit(training);
        int stored = many ? 600 : 10;
        var data = new FeatureMatrix(SyntheticData.Normal(20, shape.Size, seed: 6).Values.Concat(SyntheticData.Anomalies(10, shape.Size, seed: 7).Values)
            .Concat(training.Values.Take(shape.Size * stored)).ToArray(), 30 + stored, shape.Size);
        var expected = trained.Score(data);
        var model = trained.ExportOnnx(1f);
        var actual = Ort.Run(model.ToBytes(), data, out _)[OnnxNames.Score];
        // Many rows of random pixels have nearly alike histograms (unit vectors ~1 apart, whose 5-NN distances spread by
        // ~0.005), so the formula's float rounding, divided by that spread, reaches ~1e-4 there (measured: 9.6e-5 at most,
        // 2.2e-5 on average); a wrong chunk would be off by far more.
        double tolerance = many ? 5e-4 : 1e-4;
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], tolerance * Math.Max(1, Math.Abs(expected[i])), $"row {i}");
        if (smoothing > 0)
        {
            StringAssert.Contains(model.Metadata[OnnxNames.ScoreKey], $"smoothed by a Gaussian of sigma {smoothing.ToString(System.Globalization.CultureInfo.InvariantCulture)} pixels");
            if (hidden)
                StringAssert.Contains(model.Metadata[OnnxNames.ScoreKey], convolutional || kind.Contains("without hidden layers", StringComparison.Ordinal)
                    ? "the code of the smoothed image" : "the encoder's first hidden layer of the smoothed image");
            else
                Assert.DoesNotContain("of the smoothed image)", model.Metadata[OnnxNames.ScoreKey]);
        }
        else
            Assert.DoesNotContain("smoothed", model.Metadata[OnnxNames.ScoreKey]);
        if (shift > 0)
            StringAssert.Contains(model.Metadata[OnnxNames.ScoreKey], $"the query image at the best of its shifts by up to {shift} pixels each way");
        else
            Assert.DoesNotContain("shifts", model.Metadata[OnnxNames.ScoreKey]);
        if (edges)
            StringAssert.Contains(model.Metadata[OnnxNames.ScoreKey], "edge-orientation histograms");
        else
            Assert.DoesNotContain("edge-orientation", model.Metadata[OnnxNames.ScoreKey]);
        OnnxChecker.AssertAccepts(model.ToBytes());

        // The smoothed images' copy of the encoder reads the encoder's own weights: every initializer once.
        var names = model.Proto.Graph.Initializer.Select(t => t.Name).ToList();
        Assert.HasCount(names.Distinct().Count(), names);
        Assert.AreEqual(smoothing > 0 && hidden ? 2 : 1, model.Proto.Graph.Node.Count(n => n.Input.Contains(convolutional ? "encoder_0_conv_weight" : "encoder_0_weight")));
    }

    [TestMethod]
    public void Anomalies_ScoreAboveNormalRows()
    {
        var options = Options();
        options.NumberOfEpochs = 20;
        using var trained = new AutoencoderTrainer(options).Fit(SyntheticData.Normal(400, 12, seed: 1));
        var normal = trained.Score(SyntheticData.Normal(200, 12, seed: 2));
        var anomalies = trained.Score(SyntheticData.Anomalies(40, 12, seed: 3));
        double auc = normal.SelectMany(n => anomalies.Select(a => a > n ? 1.0 : a == n ? 0.5 : 0.0)).Average();
        Assert.IsGreaterThan(0.95, auc, $"AUC {auc}");
    }

    [TestMethod]
    public void Streamed_AndInMemory_StoreRowsAndScore()
    {
        var options = Options(maxReference: 64);
        options.ShuffleBufferRows = 50;
        var training = SyntheticData.Normal(300, 5, seed: 3);
        using var streamed = new AutoencoderTrainer(options).Fit(new ChunkedSource(training));
        Assert.AreEqual(ScoreKind.NearestNeighbors, streamed.ScoreKind);
        var scores = streamed.Score(training);
        Assert.IsTrue(scores.All(float.IsFinite));
        StringAssert.Contains(streamed.ExportOnnx(1f).Metadata[OnnxNames.ScoreKey], "of 64 stored");
    }

    [TestMethod]
    public void BadSettings_AreNamed()
    {
        Assert.AreEqual("Neighbors.Count",
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new TrainerOptions { Neighbors = { Count = 0 } })).ParamName);
        foreach (double smoothing in new[] { -1, double.NaN, double.PositiveInfinity, 100.5 })
            Assert.AreEqual("Neighbors.Smoothing",
                Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new TrainerOptions { Neighbors = { Smoothing = smoothing } })).ParamName);
        foreach (double weight in new[] { -0.1, double.NaN, double.PositiveInfinity, 1001 })
            Assert.AreEqual("Neighbors.ReconstructionWeight",
                Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new TrainerOptions { Neighbors = { ReconstructionWeight = weight } })).ParamName);
        foreach (int shift in new[] { -1, 4 })
            Assert.AreEqual("Neighbors.Shift",
                Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new TrainerOptions { Neighbors = { Shift = shift } })).ParamName);
        Assert.AreEqual("Neighbors.ReferenceSize",
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new TrainerOptions { Neighbors = { ReferenceSize = 1 } })).ParamName);
        Assert.AreEqual(nameof(TrainerOptions.ScoreKind), Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(new TrainerOptions
        {
            Variational = true, VariationalScore = VariationalScore.NegativeElbo, ScoreKind = ScoreKind.NearestNeighbors,
        })).ParamName);
        var one = Assert.ThrowsExactly<ArgumentException>(() => new AutoencoderTrainer(Options()).Fit(SyntheticData.Normal(1, 4, seed: 1)));
        StringAssert.Contains(one.Message, "ScoreKind = ReconstructionError");
    }

    /// <summary>A source that is not a FeatureMatrix, so that training streams it.</summary>
    private sealed class ChunkedSource(FeatureMatrix matrix) : IRowSource
    {
        public int Columns => matrix.Columns;
        public IRowReader OpenReader() => matrix.OpenReader();
    }
}
