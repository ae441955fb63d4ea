namespace Autoencoders.Training.Trainers;

/// <summary>Chooses the score above which a row is flagged as an anomaly.</summary>
public static class AnomalyThreshold
{
    /// <summary>
    /// The threshold that flags (score &gt; threshold) at most ⌊<paramref name="contamination"/> · n⌋ of the n
    /// <paramref name="scores"/>, ties included: the score of rank n − ⌊c · n⌋ in ascending order. Equal scores are never
    /// split, so a block of tied scores at the cut stays unflagged, and the threshold is always one of the scores, so the
    /// rows it was computed from are flagged exactly as counted.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contamination"/> is outside (0, 0.5].</exception>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is empty or contains NaN.</exception>
    public static float FromContamination(IReadOnlyCollection<float> scores, double contamination)
    {
        if (!(contamination > 0 && contamination <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(contamination), contamination, "Contamination must be in (0, 0.5].");
        return Above(scores, contamination);
    }

    /// <summary>
    /// The <paramref name="percentile"/>-th percentile of <paramref name="scores"/> (e.g. 99), the same rule as
    /// <see cref="FromContamination"/> with contamination 1 − percentile/100: one of the scores, with at most that share above it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is outside (0, 100).</exception>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is empty or contains NaN.</exception>
    public static float FromPercentile(IReadOnlyCollection<float> scores, double percentile)
    {
        if (!(percentile > 0 && percentile < 100))
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be in (0, 100).");
        return Above(scores, 1 - percentile / 100);
    }

    private static float Above(IReadOnlyCollection<float> scores, double share)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0)
            throw new ArgumentException("At least one score is needed.", nameof(scores));
        var sorted = scores.ToArray();
        if (sorted.Any(float.IsNaN))
            throw new ArgumentException("Scores contain NaN.", nameof(scores));
        Array.Sort(sorted);
        // The tolerance keeps products such as 0.29 · 100 = 28.999999999999996 at 29.
        int flagged = (int)Math.Floor(share * sorted.Length + 1e-9);
        return sorted[sorted.Length - 1 - flagged];
    }
}
