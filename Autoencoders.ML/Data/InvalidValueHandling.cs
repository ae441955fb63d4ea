namespace Autoencoders.ML.Data;

/// <summary>What training does with a row whose features contain NaN or an infinity.</summary>
public enum InvalidValueHandling
{
    /// <summary>Stop with an error naming the row and feature (default).</summary>
    Throw,
    /// <summary>Leave the row out of training and log how many rows were skipped.</summary>
    SkipRow,
}
