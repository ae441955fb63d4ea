using Autoencoders.Training.Models;

namespace Autoencoders.Training.Scores;

/// <summary>
/// The settings of the nearest-neighbour score (<see cref="Trainers.ScoreKind.NearestNeighbors"/>), in one record that
/// <see cref="Trainers.TrainerOptions.Neighbors"/> and the ML.NET stages' options both hold: set them with
/// <c>options.Neighbors.Count = 10</c> or <c>Neighbors = { Reference = NeighborReference.TrainingRows }</c>. Every default is
/// in <see cref="Defaults"/>. Ignored by the other score kinds.
/// </summary>
public sealed record NeighborScoreOptions
{
    /// <summary>The default of every setting, defined once.</summary>
    public static class Defaults
    {
        /// <summary>
        /// Neighbours averaged: 3. Chosen with prototypes on the tabular suite's validation protocol (3 and 5 within 0.0001 of
        /// each other but for glass, whose five validation anomalies favour 3; see benchmarks/tabular/research/prototypes_round8.md).
        /// </summary>
        public const int Count = 3;

        /// <summary>What is stored to compare rows with: <see cref="NeighborReference.Prototypes"/> (no training row in the model).</summary>
        public const NeighborReference Reference = NeighborReference.Prototypes;

        /// <summary>Stored vectors: 0, automatic (see <see cref="NeighborScoreOptions.ReferenceSize"/>).</summary>
        public const int ReferenceSize = 0;

        /// <summary>
        /// Values (prototypes × values per prototype, in every space) the automatic <see cref="NeighborScoreOptions.ReferenceSize"/>
        /// of prototypes stores at most, 2¹⁶ (256 KB), within <see cref="MinAutomaticPrototypes"/> to <see cref="MaxAutomaticPrototypes"/>:
        /// it bounds the file's size and each row's scoring cost whatever the number of training rows. Chosen on the tabular
        /// suite's validation protocol (mean AUC 0.9088 against 0.9095 with 2¹⁷, whose 50,000 × 50 rows scored at 0.33 of
        /// the reconstruction error's rate against 0.40; see README, "What a saved model contains").
        /// </summary>
        public const int PrototypeValueBudget = 1 << 16;

        /// <summary>Fewest prototypes the automatic size stores (when there are rows enough): 256, for wide rows.</summary>
        public const int MinAutomaticPrototypes = 256;

        /// <summary>
        /// Prototypes the automatic size stores for image rows (an image shape declared, compared as images): 1,024, more than
        /// the value budget allows (their rows are wide; a convolutional network's weights are larger than the prototypes'
        /// budget anyway). Chosen on Fashion-MNIST's validation protocol: 0.9496 against 0.9477 with 256 (convolutional model;
        /// every row stored: 0.9532).
        /// </summary>
        public const int AutomaticImagePrototypes = 1024;

        /// <summary>Most prototypes the automatic size stores: 4,096, for narrow rows.</summary>
        public const int MaxAutomaticPrototypes = 4096;

        /// <summary>Values (vectors × values per vector) the automatic number of stored training rows holds at most (unless 4,096 rows need more): 2²¹, 8 MB.</summary>
        public const int TrainingRowValueBudget = 1 << 21;

        /// <summary>Fewest training rows whose mean makes a prototype: 3.</summary>
        public const int PrototypeMembers = 3;

        /// <summary>
        /// The image side, in pixels, at which <see cref="Smoothing"/> and <see cref="Shift"/> were chosen: 28
        /// (Fashion-MNIST). For other sizes they scale with the image's shorter side.
        /// </summary>
        public const int ReferenceImageSide = 28;

        /// <summary>
        /// σ, in pixels, of the Gaussian by which image rows of <see cref="ReferenceImageSide"/> pixels are smoothed before
        /// they are compared: 1. Chosen on the Fashion-MNIST one-class benchmark's validation protocol (see README).
        /// </summary>
        public const double Smoothing = 1.0;

        /// <summary>
        /// The largest shift, in pixels each way, at which a query image of <see cref="ReferenceImageSide"/> pixels is
        /// compared with each stored image: 1 (9 positions). Chosen on the Fashion-MNIST one-class benchmark's validation
        /// protocol (see README).
        /// </summary>
        public const int Shift = 1;

        /// <summary>The largest automatic <see cref="NeighborScoreOptions.Shift"/>: 2 (25 positions; images of 70 pixels and more would get 3).</summary>
        public const int MaxAutomaticShift = 2;

        /// <summary>
        /// The automatic <see cref="NeighborScoreOptions.Smoothing"/> for images of <paramref name="image"/>'s shape:
        /// <see cref="Smoothing"/> scaled by the shorter side over <see cref="ReferenceImageSide"/> — the same blur relative
        /// to the image (σ 0.29 pixels at 8 × 8, next to none; 2.3 at 64 × 64). Validation protocols: on 8 × 8 digits σ 1
        /// cost 0.005–0.008 AUC against none; on Fashion-MNIST averaged to 14 × 14, σ 0.5 scored 0.9450 and σ 1 0.9408
        /// (one-pixel shift; no blur and no shift 0.9467); see benchmarks/images/research/image_sets_validation.md.
        /// </summary>
        public static double AutomaticSmoothing(ImageShape image)
        {
            ArgumentNullException.ThrowIfNull(image);
            return Smoothing * Math.Min(image.Height, image.Width) / ReferenceImageSide;
        }

        /// <summary>
        /// The automatic <see cref="NeighborScoreOptions.Shift"/> for images of <paramref name="image"/>'s shape:
        /// <see cref="Shift"/> scaled like <see cref="AutomaticSmoothing"/> and rounded to the nearest (half to even): 0 up
        /// to 14 pixels, 1 from 15 to 41, 2 from 42, at most <see cref="MaxAutomaticShift"/>. On Fashion-MNIST averaged to 14 × 14
        /// (validation protocol) no shift scored 0.9458 against 0.9450 with one pixel, at σ 0.5.
        /// </summary>
        public static int AutomaticShift(ImageShape image)
        {
            ArgumentNullException.ThrowIfNull(image);
            return Math.Min(MaxAutomaticShift, (int)Math.Round(Shift * (double)Math.Min(image.Height, image.Width) / ReferenceImageSide, MidpointRounding.ToEven));
        }

        /// <summary>
        /// Whether image rows are also compared by their edge-orientation histograms: <see langword="true"/>. Chosen on the
        /// Fashion-MNIST one-class benchmark's validation protocol (see README).
        /// </summary>
        public const bool EdgeHistograms = true;

        /// <summary>
        /// Whether the network's hidden features are a space of the score when <see cref="NeighborScoreOptions.HiddenFeatures"/>
        /// is not set: yes for table rows, no for image rows (an image shape declared), whose score then compares the images
        /// themselves — smoothed, shifted and by their edge histograms — and does not depend on the network. Without them,
        /// on the validation protocols of three image sets: Fashion-MNIST 0.9507 against 0.9496 with a convolutional network
        /// (8 of 10 classes higher) and 0.9477 with a dense one; synthetic textures with defects 0.8424 / 0.8379 against
        /// 0.7844 / 0.7840 (convolutional / dense); 8×8 digits 0.9911 / 0.9821 against 0.9898 / 0.9824 (see
        /// benchmarks/images/research/image_sets_validation.md). On tables the hidden layer's distance is half the score's
        /// strength (see README, "One-class anomaly detection on tabular data").
        /// </summary>
        public static bool AutomaticHiddenFeatures(bool images) => !images;

        /// <summary>
        /// The weight of the autoencoder's per-feature-normalized reconstruction error: 0, left out. On the tabular suite's
        /// validation protocol every weight tried (0.1 to 0.5) lowered the mean AUC, while helping data whose anomalies are
        /// extreme along the normal rows' main directions (see README).
        /// </summary>
        public const double ReconstructionWeight = 0;

        /// <summary>
        /// The automatic number of stored vectors (see <see cref="NeighborScoreOptions.ReferenceSize"/>) for vectors of
        /// <paramref name="width"/> values in all spaces, compared as <paramref name="images"/> or not.
        /// </summary>
        public static int AutomaticReferenceSize(NeighborReference reference, int width, bool images) => reference == NeighborReference.Prototypes
            ? images ? AutomaticImagePrototypes : Math.Clamp(PrototypeValueBudget / Math.Max(width, 1), MinAutomaticPrototypes, MaxAutomaticPrototypes)
            : Math.Max(4096, TrainingRowValueBudget / Math.Max(width, 1));
    }

    /// <summary>Neighbours averaged (fewer when fewer training rows are summarized). Default 3.</summary>
    public int Count { get; set; } = Defaults.Count;

    /// <summary>
    /// What the model stores to compare rows with (see <see cref="NeighborReference"/>): prototypes, each the mean of at least
    /// <see cref="PrototypeMembers"/> training rows (default), or the training rows themselves.
    /// </summary>
    public NeighborReference Reference { get; set; } = Defaults.Reference;

    /// <summary>
    /// How many vectors are stored, or 0 (default) for automatic: with <see cref="NeighborReference.Prototypes"/>, at most
    /// 2¹⁶ values in all (prototypes × (features + hidden units)), 256 to 4,096 prototypes — 1,024 for image rows —, whatever
    /// the number of training rows (fewer when there are fewer than that many × <see cref="PrototypeMembers"/> rows); with <see cref="NeighborReference.TrainingRows"/>, every training row up to 2²¹ stored values
    /// (rows × (features + hidden units …)), at least 4,096 rows, drawn at random when there are more. Scoring costs about
    /// this many × (features + hidden units) multiply-adds per row.
    /// </summary>
    public int ReferenceSize { get; set; } = Defaults.ReferenceSize;

    /// <summary>
    /// With <see cref="NeighborReference.Prototypes"/>: the fewest training rows averaged into one prototype (groups have this
    /// many nearby rows, or more when the rows exceed the prototypes × this; the last group up to twice as many). More
    /// members hide each row better and blur the score more. Default 3.
    /// </summary>
    public int PrototypeMembers { get; set; } = Defaults.PrototypeMembers;

    /// <summary>
    /// For image rows (an image shape declared): σ, in pixels, of the Gaussian by which the standardized images are smoothed
    /// before they are compared (in the input, and through the hidden features of the smoothed image), so that a stroke one
    /// pixel away from where a training image has it counts as nearly the same, not as two differences; 0 compares pixel by
    /// pixel. <see langword="null"/> (default): automatic, 1 for images of 28 pixels and in proportion for other sizes
    /// (see <see cref="Defaults.AutomaticSmoothing"/>).
    /// </summary>
    public double? Smoothing { get; set; }

    /// <summary>
    /// For image rows (an image shape declared): the largest shift, in pixels each way, at which a query image is compared
    /// with each stored image — the input distance is the smallest over the query moved by up to this many pixels (edges
    /// replicated), so an object drawn a pixel off is not far from every stored image; 0 compares in place. The input
    /// distance costs (2 × shift + 1)² times as much to score. <see langword="null"/> (default): automatic, 1 for images of
    /// 28 pixels, 0 up to 14, 2 from 42 (see <see cref="Defaults.AutomaticShift"/>).
    /// </summary>
    public int? Shift { get; set; }

    /// <summary>
    /// For image rows (an image shape declared): whether a third distance compares the images' edge-orientation histograms
    /// (as in HOG descriptors: the smoothed image's gradient along 8 directions, averaged over a grid of about 7 × 7 cells,
    /// square-rooted, scaled to unit length), which see outlines whatever the brightness or contrast. Stores channels × 392
    /// more values per stored vector. Default <see langword="true"/>.
    /// </summary>
    public bool EdgeHistograms { get; set; } = Defaults.EdgeHistograms;

    /// <summary>
    /// Whether the distance between the rows' hidden features (the network's first hidden layer, of the smoothed image for
    /// image rows) is a space of the score, beside the input's (and the edge histograms'). <see langword="null"/>
    /// (default): automatic, see <see cref="Defaults.AutomaticHiddenFeatures"/> — yes for table rows, no for image rows.
    /// </summary>
    public bool? HiddenFeatures { get; set; }

    /// <summary>
    /// The weight with which the autoencoder's own reconstruction error joins the distances: each feature's squared error
    /// divided by that feature's mean over the training rows summarized (at least 1% of the features' average), averaged over
    /// the features, standardized like the distances. It sees rows the network cannot rebuild — extreme along the normal
    /// rows' main directions, or breaking their correlations — which a distance to the nearest rows sees late. 0 leaves it
    /// out. Default 0 (see README: 0.1 to 0.5 helps such data and costs data whose anomalies are new kinds of rows).
    /// </summary>
    public double ReconstructionWeight { get; set; } = Defaults.ReconstructionWeight;

    /// <summary>The largest <see cref="Smoothing"/> accepted, in pixels.</summary>
    internal const double MaxSmoothing = 100;

    /// <summary>The largest <see cref="Shift"/> accepted, in pixels (49 positions).</summary>
    internal const int MaxShift = 3;

    /// <summary>The largest <see cref="ReconstructionWeight"/> accepted.</summary>
    internal const double MaxReconstructionWeight = 1000;

    /// <summary>The name under which the options that hold this record expose it (in error messages: <c>Neighbors.Count</c>).</summary>
    public const string PropertyName = "Neighbors";

    /// <summary>Checks every setting; an error names it as <c>Neighbors.Setting</c>.</summary>
    internal void Validate()
    {
        static string Name(string setting) => PropertyName + "." + setting;
        if (Count < 1)
            throw new ArgumentOutOfRangeException(Name(nameof(Count)), Count, $"{Name(nameof(Count))} must be at least 1.");
        if (!Enum.IsDefined(Reference))
            throw new ArgumentOutOfRangeException(Name(nameof(Reference)), Reference, "Unknown value.");
        if (ReferenceSize is < 0 or 1)
            throw new ArgumentOutOfRangeException(Name(nameof(ReferenceSize)), ReferenceSize, $"{Name(nameof(ReferenceSize))} must be at least 2, or 0 for automatic.");
        if (PrototypeMembers < 1)
            throw new ArgumentOutOfRangeException(Name(nameof(PrototypeMembers)), PrototypeMembers, $"{Name(nameof(PrototypeMembers))} must be at least 1.");
        if (Smoothing is double smoothing && !(smoothing is >= 0 and <= MaxSmoothing))
            throw new ArgumentOutOfRangeException(Name(nameof(Smoothing)), Smoothing,
                $"{Name(nameof(Smoothing))} must be 0 (off) or a number of pixels up to {MaxSmoothing} (a wider blur leaves an image of any usual size flat).");
        if (Shift is int shift && shift is < 0 or > MaxShift)
            throw new ArgumentOutOfRangeException(Name(nameof(Shift)), Shift,
                $"{Name(nameof(Shift))} must be 0 (off) or a number of pixels up to {MaxShift} (each step costs more positions: (2 × shift + 1)²).");
        if (!(ReconstructionWeight is >= 0 and <= MaxReconstructionWeight))
            throw new ArgumentOutOfRangeException(Name(nameof(ReconstructionWeight)), ReconstructionWeight,
                $"{Name(nameof(ReconstructionWeight))} must be 0 (off) or a positive number up to {MaxReconstructionWeight}.");
    }
}
