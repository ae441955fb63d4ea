using Autoencoders.ML.Scoring;
using Autoencoders.Training.Data;
using Autoencoders.Training.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Fitting;

/// <summary>
/// Base of the estimators that train an autoencoder on a feature column and return an <see cref="AutoencoderTransformer"/>
/// (anomaly detection, denoising). Fit reads the column, standardizes it, trains in TorchSharp, exports one ONNX graph and
/// wraps it for batched scoring through ONNX Runtime.
/// </summary>
public abstract class AutoencoderEstimator : IEstimator<AutoencoderTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly string _component;
    private readonly AutoencoderTrainingOptions _options;

    /// <summary>Keeps the settings after checking every one of them (each options class adds its own checks).</summary>
    private protected AutoencoderEstimator(IHostEnvironment environment, string component, AutoencoderTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _component = component;
        _options = options;
    }

    /// <summary>Trains on the feature column of <paramref name="input"/> and returns the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or not a known-size vector of Single.</exception>
    /// <exception cref="InvalidDataException">A training value is NaN or infinite (with <see cref="Data.InvalidValueHandling.Throw"/>).</exception>
    /// <exception cref="InvalidOperationException">The data has no usable rows.</exception>
    public AutoencoderTransformer Fit(IDataView input) => AutoencoderFitter.Fit(_environment, _component, input, _options, ChooseThreshold);

    /// <summary>The schema shape after the stage: the input's columns and the stage's outputs.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => OutputSchema.Compute(inputSchema, _options, null, null);

    /// <summary>
    /// The anomaly threshold written into the graph, given the trained model and the rows it was trained on. Stages that
    /// do not flag anomalies still give the graph one (for hosts that read Score/PredictedLabel from the ONNX file):
    /// the score that 10% of the training rows exceed.
    /// </summary>
    private protected virtual float ChooseThreshold(TrainedAutoencoder trained, IRowSource data) =>
        AnomalyThreshold.FromContamination(trained.Score(data), 0.1);
}
