namespace Autoencoders.Training.Onnx;

/// <summary>Names of the inputs, outputs and metadata in the ONNX graphs Autoencoders.ML exports.</summary>
public static class OnnxNames
{
    /// <summary>Input: rows × features, original scale, float32.</summary>
    public const string Features = "Features";
    /// <summary>Output: rows × features, the reconstruction in the original scale.</summary>
    public const string Reconstruction = "Reconstruction";
    /// <summary>Output: rows × latent size, the code.</summary>
    public const string Latent = "Latent";
    /// <summary>Output: rows × features, squared error per feature in standardized space.</summary>
    public const string FeatureErrors = "FeatureErrors";
    /// <summary>Output: rows, the anomaly score (mean of FeatureErrors; +∞ for rows with NaN or infinite inputs).</summary>
    public const string Score = "Score";
    /// <summary>Output (once the training scores are known, see <see cref="AutoencoderOnnxModel.WithScoreDistribution"/>): rows, the share of training rows scoring at or below the row, in [0, 1].</summary>
    public const string Probability = "Probability";
    /// <summary>Output: rows, boolean, Score &gt; threshold.</summary>
    public const string PredictedLabel = "PredictedLabel";
    /// <summary>
    /// Optional output, rows × features: (Reconstruction − Features) / σ² for a denoiser trained with Gaussian noise of
    /// standard deviation σ alone — an estimate of the score ∇ₓ log p(x) of the data distribution (Alain &amp; Bengio 2014).
    /// </summary>
    public const string ScoreFunction = "ScoreFunction";
    /// <summary>Initializer: the scalar anomaly threshold.</summary>
    public const string Threshold = "threshold";
    /// <summary>Symbolic batch dimension.</summary>
    public const string BatchDimension = "N";

    /// <summary>Every output, in graph order.</summary>
    public static readonly IReadOnlyList<string> Outputs = [Reconstruction, Latent, FeatureErrors, Score, PredictedLabel];

    /// <summary>Prefix of the names this library reserves inside graphs it rewrites (see <see cref="AutoencoderOnnxModel.ToRowGraph"/>).</summary>
    public const string ReservedPrefix = "autoencoder/";

    /// <summary>Metadata key prefix.</summary>
    public const string MetadataPrefix = "autoencoders_ml.";
    /// <summary>Library version that wrote the model.</summary>
    public const string VersionKey = MetadataPrefix + "version";
    /// <summary>Model kind, e.g. <c>dense</c>.</summary>
    public const string KindKey = MetadataPrefix + "kind";
    /// <summary><c>true</c> for a variational autoencoder.</summary>
    public const string VariationalKey = MetadataPrefix + "variational";
    /// <summary>Architecture description.</summary>
    public const string ArchitectureKey = MetadataPrefix + "architecture";
    /// <summary>Image layout <c>CxHxW</c> of a convolutional model's rows.</summary>
    public const string ImageShapeKey = MetadataPrefix + "image_shape";
    /// <summary>Number of input features.</summary>
    public const string InputSizeKey = MetadataPrefix + "input_size";
    /// <summary>Latent size.</summary>
    public const string LatentSizeKey = MetadataPrefix + "latent_size";
    /// <summary>Anomaly threshold (round-trip text of the float32 value in the graph).</summary>
    public const string ThresholdKey = MetadataPrefix + "threshold";
    /// <summary>What the Score output measures, in words.</summary>
    public const string ScoreKey = MetadataPrefix + "score";

    /// <summary>Metadata key: what the file holds of the training data, in plain words (network weights, standardization, stored vectors).</summary>
    public const string ContentsKey = MetadataPrefix + "contents";
    /// <summary>How the threshold was chosen, e.g. <c>contamination=0.1</c>.</summary>
    public const string ThresholdRuleKey = MetadataPrefix + "threshold_rule";
    /// <summary>Training settings.</summary>
    public const string TrainingKey = MetadataPrefix + "training";
    /// <summary>σ of the Gaussian training noise, present when the graph has a <see cref="ScoreFunction"/> output.</summary>
    public const string ScoreFunctionSigmaKey = MetadataPrefix + "score_function_sigma";
    /// <summary>Epochs run and best epoch.</summary>
    public const string HistoryKey = MetadataPrefix + "history";
}
