using Autoencoders.ML.Fitting;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Denoising;

/// <summary>
/// Trains a denoising autoencoder and writes each row's restored vector (original scale) to an output column. Created by
/// <c>mlContext.Transforms.Denoise</c>.
/// </summary>
/// <remarks>
/// Fit corrupts every training minibatch afresh (<see cref="AutoencoderTrainingOptions.Corruptions"/>; default Gaussian
/// noise of sigma 0.1, which suits features on a pixel-like [0, 1] scale) and trains the autoencoder to restore the clean
/// rows; Transform applies the model to the rows as given, never corrupting them. Saves and loads like the anomaly stage.
/// </remarks>
public sealed class AutoencoderDenoisingEstimator : AutoencoderEstimator
{
    /// <summary>Settings of <see cref="AutoencoderDenoisingEstimator"/>.</summary>
    public sealed class Options : AutoencoderTrainingOptions
    {
        /// <summary>
        /// Creates settings whose output is <see cref="AutoencoderScoringOptions.ReconstructionColumnName"/> (default
        /// <c>"Denoised"</c>) alone, trained with Gaussian noise of sigma <see cref="AutoencoderDefaults.DenoisingNoiseSigma"/>.
        /// </summary>
        public Options()
        {
            ReconstructionColumnName = "Denoised";
            ScoreColumnName = null;
            PredictedLabelColumnName = null;
            Corruptions = [Corruption.GaussianNoise(AutoencoderDefaults.DenoisingNoiseSigma)];
        }

        /// <summary>
        /// Image rows (<see cref="AutoencoderTrainingOptions.ImageShape"/> declared) with no architecture given
        /// (<see cref="AutoencoderTrainingOptions.Convolutional"/>, <see cref="AutoencoderTrainingOptions.HiddenLayerSizes"/>
        /// and <see cref="AutoencoderTrainingOptions.LatentSize"/> unset) get the residual U-Net of
        /// <see cref="AutoencoderDefaults.ImageDenoiser"/>: it restores detail a dense code cannot carry.
        /// </summary>
        internal override void ResolveStageDefaults()
        {
            if (ImageShape is not null && Convolutional is null && HiddenLayerSizes is null && DecoderHiddenLayerSizes is null && LatentSize == 0)
            {
                Convolutional = AutoencoderDefaults.ImageDenoiser();
                Residual = true;
            }
        }

        internal override void Validate()
        {
            base.Validate();
            if (ReconstructionColumnName is null)
                throw new ArgumentException("A denoiser writes the restored rows to ReconstructionColumnName; it cannot be null.", nameof(ReconstructionColumnName));
            if (Corruptions.Count == 0 && TargetColumnName is null)
                throw new ArgumentException("A denoising autoencoder needs at least one corruption, or a TargetColumnName of second noisy observations (Noise2Noise); without either it learns a plain reconstruction.", nameof(Corruptions));
        }
    }

    private const string Component = "AutoencoderDenoising";

    internal AutoencoderDenoisingEstimator(IHostEnvironment environment, Options options)
        : base(environment, Component, options)
    {
    }

}
