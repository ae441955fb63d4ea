using Autoencoders.ML.AnomalyDetection;
using Autoencoders.ML.Denoising;
using Autoencoders.ML.Features;
using Autoencoders.ML.Scoring;
using Autoencoders.ML.Interop;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML;

/// <summary>Extension methods that add autoencoder stages to ML.NET's catalogs.</summary>
public static class AutoencoderCatalog
{
    /// <summary>
    /// Creates an <see cref="AutoencoderAnomalyDetectionTrainer"/>: an autoencoder that flags rows it reconstructs badly.
    /// </summary>
    /// <param name="catalog">The anomaly-detection trainers catalog.</param>
    /// <param name="featureColumnName">Input column, a known-size vector of Single.</param>
    /// <param name="latentSize">Latent code size; 0 picks a quarter of the input size, clamped to [2, 64].</param>
    /// <param name="numberOfEpochs">Training epochs; 0 (default) for automatic (100, fewer for large data).</param>
    /// <param name="contamination">Expected fraction of anomalies in the training data, in (0, 0.5]; sets the threshold.</param>
    /// <param name="seed">Random seed; <see langword="null"/> draws one from the MLContext's seed.</param>
    public static AutoencoderAnomalyDetectionTrainer Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
        string featureColumnName = "Features", int latentSize = 0, int numberOfEpochs = AutoencoderDefaults.NumberOfEpochs, double contamination = AutoencoderDefaults.Contamination, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.Autoencoder(new AutoencoderAnomalyDetectionTrainer.Options
        {
            FeatureColumnName = featureColumnName,
            LatentSize = latentSize,
            NumberOfEpochs = numberOfEpochs,
            Contamination = contamination,
            Seed = seed,
        });
    }

    /// <summary>Creates an <see cref="AutoencoderAnomalyDetectionTrainer"/> with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The anomaly-detection trainers catalog.</param>
    /// <param name="options">The settings; checked now.</param>
    public static AutoencoderAnomalyDetectionTrainer Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
        AutoencoderAnomalyDetectionTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AutoencoderAnomalyDetectionTrainer(MLNetInternals.EnvironmentOf(catalog), options);
    }

    /// <summary>
    /// Creates an <see cref="AutoencoderDenoisingEstimator"/>: a denoising autoencoder trained on rows corrupted with
    /// Gaussian noise of standard deviation <paramref name="noiseSigma"/> (original feature scale) that writes each row's
    /// restored vector to <paramref name="outputColumnName"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Column for the restored vectors (original scale, same size as the input).</param>
    /// <param name="inputColumnName">Input column, a known-size vector of Single; <see langword="null"/> means <paramref name="outputColumnName"/> (restored in place).</param>
    /// <param name="noiseSigma">Standard deviation of the training noise, in the features' own units.</param>
    /// <param name="latentSize">Latent code size; 0 picks a quarter of the input size, clamped to [2, 64].</param>
    /// <param name="numberOfEpochs">Training epochs; 0 (default) for automatic (100, fewer for large data).</param>
    /// <param name="seed">Random seed; <see langword="null"/> draws one from the MLContext's seed.</param>
    public static AutoencoderDenoisingEstimator Denoise(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        double noiseSigma = AutoencoderDefaults.DenoisingNoiseSigma, int latentSize = 0, int numberOfEpochs = AutoencoderDefaults.NumberOfEpochs, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        return catalog.Denoise(new AutoencoderDenoisingEstimator.Options
        {
            ReconstructionColumnName = outputColumnName,
            FeatureColumnName = inputColumnName ?? outputColumnName,
            Corruptions = [Training.Corruptions.Corruption.GaussianNoise(noiseSigma)],
            LatentSize = latentSize,
            NumberOfEpochs = numberOfEpochs,
            Seed = seed,
        });
    }

    /// <summary>Creates an <see cref="AutoencoderDenoisingEstimator"/> with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The settings; checked now.</param>
    public static AutoencoderDenoisingEstimator Denoise(this TransformsCatalog catalog, AutoencoderDenoisingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AutoencoderDenoisingEstimator(MLNetInternals.EnvironmentOf(catalog), options);
    }

    /// <summary>
    /// Creates an <see cref="AutoencoderFeaturizerEstimator"/>: an autoencoder whose latent code of each row is written to
    /// <paramref name="outputColumnName"/>, for any ML.NET trainer downstream.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Column for the latent codes (a vector of <paramref name="latentSize"/> Singles).</param>
    /// <param name="inputColumnName">Input column, a known-size vector of Single; <see langword="null"/> means <paramref name="outputColumnName"/>.</param>
    /// <param name="latentSize">Latent code size; 0 picks a quarter of the input size, clamped to [2, 64].</param>
    /// <param name="numberOfEpochs">Training epochs; 0 (default) for automatic (100, fewer for large data).</param>
    /// <param name="seed">Random seed; <see langword="null"/> draws one from the MLContext's seed.</param>
    public static AutoencoderFeaturizerEstimator ExtractLatentFeatures(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, int latentSize = 0, int numberOfEpochs = AutoencoderDefaults.NumberOfEpochs, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        return catalog.ExtractLatentFeatures(new AutoencoderFeaturizerEstimator.Options
        {
            LatentColumnName = outputColumnName,
            FeatureColumnName = inputColumnName ?? outputColumnName,
            LatentSize = latentSize,
            NumberOfEpochs = numberOfEpochs,
            Seed = seed,
        });
    }

    /// <summary>Creates an <see cref="AutoencoderFeaturizerEstimator"/> with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The settings; checked now.</param>
    public static AutoencoderFeaturizerEstimator ExtractLatentFeatures(this TransformsCatalog catalog, AutoencoderFeaturizerEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AutoencoderFeaturizerEstimator(MLNetInternals.EnvironmentOf(catalog), options);
    }

    /// <summary>Scores with an autoencoder saved earlier with <see cref="AutoencoderTransformer.SaveOnnx(string)"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelFile">Path of the ONNX file.</param>
    /// <param name="featureColumnName">Input column, a vector of Single of the size the model was trained on.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an autoencoder exported by this library.</exception>
    public static AutoencoderScoringEstimator ApplyAutoencoder(this TransformsCatalog catalog, string modelFile, string featureColumnName = "Features") =>
        catalog.ApplyAutoencoder(modelFile, new AutoencoderScoringOptions { FeatureColumnName = featureColumnName });

    /// <summary>Scores with an autoencoder read from <paramref name="modelStream"/> (to its end).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelStream">Stream holding the ONNX model.</param>
    /// <param name="featureColumnName">Input column, a vector of Single of the size the model was trained on.</param>
    /// <exception cref="InvalidDataException">The stream does not hold an autoencoder exported by this library.</exception>
    public static AutoencoderScoringEstimator ApplyAutoencoder(this TransformsCatalog catalog, Stream modelStream, string featureColumnName = "Features") =>
        catalog.ApplyAutoencoder(modelStream, new AutoencoderScoringOptions { FeatureColumnName = featureColumnName });

    /// <summary>Scores with an autoencoder saved earlier, with the columns and device in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelFile">Path of the ONNX file.</param>
    /// <param name="options">Columns to read and write, and the scoring device.</param>
    public static AutoencoderScoringEstimator ApplyAutoencoder(this TransformsCatalog catalog, string modelFile, AutoencoderScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(modelFile);
        ArgumentNullException.ThrowIfNull(options);
        return new AutoencoderScoringEstimator(MLNetInternals.EnvironmentOf(catalog), AutoencoderOnnxModel.Load(modelFile), options);
    }

    /// <summary>Scores with an autoencoder read from <paramref name="modelStream"/>, with the columns and device in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelStream">Stream holding the ONNX model.</param>
    /// <param name="options">Columns to read and write, and the scoring device.</param>
    public static AutoencoderScoringEstimator ApplyAutoencoder(this TransformsCatalog catalog, Stream modelStream, AutoencoderScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(modelStream);
        ArgumentNullException.ThrowIfNull(options);
        return new AutoencoderScoringEstimator(MLNetInternals.EnvironmentOf(catalog), AutoencoderOnnxModel.Load(modelStream), options);
    }

    /// <summary>
    /// Loads a model saved with <c>mlContext.Model.Save</c>, like <see cref="ModelOperationsCatalog.Load(Stream, out DataViewSchema)"/>,
    /// and restores every autoencoder stage in it as an <see cref="AutoencoderTransformer"/> so that scoring is batched again.
    /// (ML.NET's own Load gives the same scores through its per-row ONNX transformer.)
    /// </summary>
    /// <param name="catalog">The model operations catalog.</param>
    /// <param name="stream">The saved model.</param>
    /// <param name="inputSchema">The input schema the model was saved with.</param>
    /// <param name="gpuDeviceId">GPU for ONNX Runtime scoring, or <see langword="null"/> for CPU.</param>
    /// <param name="fallbackToCpu">Score on CPU with a warning when the GPU is unavailable, instead of throwing.</param>
    public static ITransformer LoadWithAutoencoders(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema inputSchema,
        int? gpuDeviceId = null, bool fallbackToCpu = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        return SavedModelLoader.Load(MLNetInternals.EnvironmentOf(catalog), catalog, stream, out inputSchema, gpuDeviceId, fallbackToCpu);
    }

    /// <summary>Loads a model file saved with <c>mlContext.Model.Save</c>, restoring batched autoencoder stages (see the stream overload).</summary>
    /// <param name="catalog">The model operations catalog.</param>
    /// <param name="filePath">Path of the saved model.</param>
    /// <param name="inputSchema">The input schema the model was saved with.</param>
    /// <param name="gpuDeviceId">GPU for ONNX Runtime scoring, or <see langword="null"/> for CPU.</param>
    /// <param name="fallbackToCpu">Score on CPU with a warning when the GPU is unavailable, instead of throwing.</param>
    public static ITransformer LoadWithAutoencoders(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema,
        int? gpuDeviceId = null, bool fallbackToCpu = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        using var stream = File.OpenRead(filePath);
        return catalog.LoadWithAutoencoders(stream, out inputSchema, gpuDeviceId, fallbackToCpu);
    }
}
