using Autoencoders.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// Scores with an autoencoder exported earlier (<see cref="AutoencoderTransformer.SaveOnnx(string)"/>); nothing is trained.
/// Created by <c>mlContext.Transforms.ApplyAutoencoder</c>.
/// </summary>
public sealed class AutoencoderScoringEstimator : IEstimator<AutoencoderTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly AutoencoderOnnxModel _model;
    private readonly AutoencoderScoringOptions _options;

    internal AutoencoderScoringEstimator(IHostEnvironment environment, AutoencoderOnnxModel model, AutoencoderScoringOptions options)
    {
        _options = options.CopyScoring();
        _options.Validate();
        _environment = environment;
        _model = model;
    }

    /// <summary>Returns the transformer; <paramref name="input"/> is only checked, not read.</summary>
    public AutoencoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new AutoencoderTransformer(_environment, _model, _options, training: null);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The schema shape after scoring.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        OutputSchema.Compute(inputSchema, _options, _model.InputSize, _model.LatentSize);
}
