using Autoencoders.ML.Scoring;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Fitting;

/// <summary>
/// Base of the estimators that train an autoencoder on a feature column and return an <see cref="AutoencoderTransformer"/>
/// (anomaly detection, denoising, latent features). Fit reads the column, standardizes it, trains in TorchSharp, exports
/// one ONNX graph and wraps it for batched scoring through ONNX Runtime.
/// </summary>
public abstract class AutoencoderEstimator : IEstimator<AutoencoderTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly string _component;

    /// <summary>Keeps a copy of the settings, after checking every one of them (each options class adds its own checks).</summary>
    private protected AutoencoderEstimator(IHostEnvironment environment, string component, AutoencoderTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Settings = (AutoencoderTrainingOptions)options.Clone();
        Settings.ResolveStageDefaults();
        Settings.Validate();
        _environment = environment;
        _component = component;
    }

    /// <summary>The estimator's own copy of the settings (later changes to the caller's object do not reach it).</summary>
    private protected AutoencoderTrainingOptions Settings { get; }

    /// <summary>Trains on the feature column of <paramref name="input"/> and returns the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or not a known-size vector of Single.</exception>
    /// <exception cref="InvalidDataException">A training value is NaN or infinite (with <see cref="Data.InvalidValueHandling.Throw"/>), or a row has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The data has no usable rows.</exception>
    /// <exception cref="OperationCanceledException">The options' token or the MLContext was cancelled.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite, or ran away.</exception>
    public AutoencoderTransformer Fit(IDataView input) => AutoencoderFitter.Fit(_environment, _component, input, Settings, ChooseThreshold);

    /// <summary>The schema shape after the stage: the input's columns and the stage's outputs.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => OutputSchema.Compute(inputSchema, Settings, null, null);

    /// <summary>
    /// The anomaly threshold written into the graph and how it was chosen, given the graph's scores of the training rows
    /// (all of them) and of the validation rows among them. Stages that do not
    /// flag anomalies still give the graph one (for hosts that read Score/PredictedLabel from the ONNX file): the
    /// default contamination's.
    /// </summary>
    private protected virtual (float Threshold, string Rule) ChooseThreshold(IReadOnlyCollection<float> trainingScores, IReadOnlyCollection<float> validationScores) =>
        (AnomalyThreshold.FromContamination(trainingScores, AutoencoderDefaults.Contamination),
         string.Create(System.Globalization.CultureInfo.InvariantCulture, $"contamination={AutoencoderDefaults.Contamination:R}"));
}
