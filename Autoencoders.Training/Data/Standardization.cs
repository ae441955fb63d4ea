namespace Autoencoders.Training.Data;

/// <summary>How rows are standardized before the network sees them (and how the Score weighs each feature's error).</summary>
public enum Standardization
{
    /// <summary>
    /// Per channel for convolutional models and for image rows scored by the nearest-neighbour score (the anomaly
    /// detector's default), per feature otherwise.
    /// </summary>
    Automatic,
    /// <summary>
    /// Each feature (pixel) with its own mean and standard deviation: a pixel that barely varies in the training data
    /// makes any change there a large error (the reconstruction error of aligned images sees small changes in quiet places).
    /// </summary>
    PerFeature,
    /// <summary>One mean and standard deviation per image channel, over all its pixels (needs an image shape): the image keeps its look, as convolutions expect.</summary>
    PerChannel,
}
