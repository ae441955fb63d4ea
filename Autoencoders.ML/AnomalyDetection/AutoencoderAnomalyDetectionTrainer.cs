using System.Globalization;
using Autoencoders.ML.Fitting;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.AnomalyDetection;

/// <summary>
/// Trains an autoencoder on (mostly normal) rows and flags rows it reconstructs badly. Created by
/// <c>mlContext.AnomalyDetection.Trainers.Autoencoder</c>.
/// </summary>
/// <remarks>
/// <para>Fit reads the feature column, standardizes each feature, trains a dense autoencoder in TorchSharp, chooses the
/// threshold, exports one ONNX graph and returns an <see cref="AutoencoderTransformer"/> that scores through ONNX Runtime.</para>
/// <para>Outputs follow ML.NET's anomaly-detection convention: <c>Score</c> (Single, higher is more anomalous: mean squared
/// reconstruction error per feature in standardized space) and <c>PredictedLabel</c> (Boolean), so
/// <c>mlContext.AnomalyDetection.Evaluate</c> works on the output unchanged. Rows with NaN or infinite features score +∞.</para>
/// </remarks>
public sealed class AutoencoderAnomalyDetectionTrainer : AutoencoderEstimator
{
    /// <summary>Settings of <see cref="AutoencoderAnomalyDetectionTrainer"/>; every default works on typical standardized tabular data.</summary>
    public sealed class Options : AutoencoderTrainingOptions
    {
        /// <summary>
        /// Creates settings whose Score is <see cref="AutoencoderDefaults.DetectorScoreKind"/>, holding out
        /// <see cref="AutoencoderDefaults.DetectorValidationFraction"/> of the training rows to keep the best epoch.
        /// </summary>
        public Options()
        {
            ScoreKind = AutoencoderDefaults.DetectorScoreKind;
            ValidationFraction = AutoencoderDefaults.DetectorValidationFraction;
        }

        /// <summary>
        /// Expected fraction of anomalies in the training data, in (0, 0.5]: the threshold is the training score that at
        /// most this fraction of the training rows exceed, ties included. Default 0.1. Ignored when
        /// <see cref="Threshold"/> or <see cref="ValidationPercentile"/> is set.
        /// </summary>
        public double Contamination { get; set; } = AutoencoderDefaults.Contamination;

        /// <summary>
        /// A percentile in (0, 100) of the scores of the validation rows (the training rows held out to keep the best epoch,
        /// which the model did not fit), e.g. 99: the threshold that flags about 1% of normal rows the model has not seen.
        /// Needs <see cref="AutoencoderTrainingOptions.ValidationFraction"/> above 0. Default <see langword="null"/>
        /// (<see cref="Contamination"/> decides). Ignored when <see cref="Threshold"/> is set.
        /// </summary>
        public double? ValidationPercentile { get; set; }

        /// <summary>An explicit score threshold; <see langword="null"/> (default) derives it from <see cref="ValidationPercentile"/> or <see cref="Contamination"/>.</summary>
        public float? Threshold { get; set; }

        internal override void Validate()
        {
            base.Validate();
            if (!(Contamination > 0 && Contamination <= 0.5))
                throw new ArgumentOutOfRangeException(nameof(Contamination), Contamination, "Contamination must be in (0, 0.5].");
            if (Threshold is float t && !float.IsFinite(t))
                throw new ArgumentOutOfRangeException(nameof(Threshold), t, "Threshold must be a finite number.");
            if (ValidationPercentile is double p && !(p > 0 && p < 100))
                throw new ArgumentOutOfRangeException(nameof(ValidationPercentile), p, "ValidationPercentile must be in (0, 100).");
            if (ValidationPercentile is not null && !(ValidationFraction > 0))
                throw new ArgumentException("ValidationPercentile needs validation rows: set ValidationFraction above 0.", nameof(ValidationPercentile));
        }
    }

    private const string Component = "AutoencoderAnomalyDetection";

    internal AutoencoderAnomalyDetectionTrainer(IHostEnvironment environment, Options options)
        : base(environment, Component, options)
    {
    }

    /// <summary>The explicit threshold, the validation percentile, or the contamination's training score (see <see cref="Options"/>).</summary>
    private protected override (float Threshold, string Rule) ChooseThreshold(IReadOnlyCollection<float> trainingScores, IReadOnlyCollection<float> validationScores)
    {
        var options = (Options)Settings;
        if (options.Threshold is float threshold)
            return (threshold, "explicit");
        if (options.ValidationPercentile is double percentile)
            return (AnomalyThreshold.FromPercentile(validationScores, percentile), string.Create(CultureInfo.InvariantCulture, $"validation_percentile={percentile:R}"));
        return (AnomalyThreshold.FromContamination(trainingScores, options.Contamination), string.Create(CultureInfo.InvariantCulture, $"contamination={options.Contamination:R}"));
    }
}
