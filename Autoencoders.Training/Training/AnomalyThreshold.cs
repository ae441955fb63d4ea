namespace Autoencoders.Training.Training;

/// <summary>Chooses the score above which a row is flagged as an anomaly.</summary>
public static class AnomalyThreshold
{
    /// <summary>
    /// The (1 − <paramref name="contamination"/>) quantile of <paramref name="scores"/>, with linear interpolation
    /// between order statistics (NumPy's default percentile, as PyOD uses): about that fraction of the rows scores above it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contamination"/> is outside (0, 0.5].</exception>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is empty or contains NaN.</exception>
    public static float FromContamination(IReadOnlyCollection<float> scores, double contamination)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (!(contamination > 0 && contamination <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(contamination), contamination, "Contamination must be in (0, 0.5].");
        if (scores.Count == 0)
            throw new ArgumentException("At least one score is needed.", nameof(scores));
        var sorted = scores.ToArray();
        if (sorted.Any(float.IsNaN))
            throw new ArgumentException("Scores contain NaN.", nameof(scores));
        Array.Sort(sorted);
        double position = (1 - contamination) * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double fraction = position - below;
        return (float)(sorted[below] + (sorted[above] - (double)sorted[below]) * fraction);
    }
}
