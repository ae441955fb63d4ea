using Autoencoders.ML.Fitting;
using Autoencoders.ML.Scoring;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Features;

/// <summary>
/// Trains an autoencoder and writes each row's latent code to an output column: a learned, nonlinear replacement for
/// PCA in front of any ML.NET trainer. Created by <c>mlContext.Transforms.ExtractLatentFeatures</c>.
/// </summary>
/// <remarks>
/// Every corruption and regularizer of <see cref="AutoencoderTrainingOptions"/> applies (a denoising or sparse code is often
/// a better feature). To featurize with a model trained earlier, use <c>mlContext.Transforms.ApplyAutoencoder</c> with
/// <see cref="AutoencoderScoringOptions.LatentColumnName"/> set and the score columns set to <see langword="null"/>.
/// Saves and loads like the other stages.
/// </remarks>
public sealed class AutoencoderFeaturizerEstimator : AutoencoderEstimator
{
    /// <summary>Settings of <see cref="AutoencoderFeaturizerEstimator"/>.</summary>
    public sealed class Options : AutoencoderTrainingOptions
    {
        /// <summary>Creates settings whose only output is <see cref="AutoencoderScoringOptions.LatentColumnName"/> (default <c>"LatentFeatures"</c>).</summary>
        public Options()
        {
            LatentColumnName = "LatentFeatures";
            ScoreColumnName = null;
            PredictedLabelColumnName = null;
        }

        internal override void Validate()
        {
            base.Validate();
            if (LatentColumnName is null)
                throw new ArgumentException("A featurizer writes the latent code to LatentColumnName; it cannot be null.", nameof(LatentColumnName));
        }
    }

    private const string Component = "AutoencoderFeaturizer";

    internal AutoencoderFeaturizerEstimator(IHostEnvironment environment, Options options)
        : base(environment, Component, options)
    {
    }
}
