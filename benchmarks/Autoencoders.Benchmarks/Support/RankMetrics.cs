namespace Autoencoders.Benchmarks.Support;

/// <summary>AUC-ROC and average precision of scores against labels (true = anomaly), ties counted as scikit-learn does.</summary>
internal static class RankMetrics
{
    /// <summary>The probability that an anomaly scores above a normal row, ties counting half (Mann-Whitney U / (n₊ n₋)).</summary>
    public static double Auc(float[] scores, bool[] anomalous)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Length];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
                end++;
            for (int k = start; k <= end; k++)
                ranks[order[k]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        double positives = anomalous.Count(a => a), negatives = anomalous.Length - positives;
        double rankSum = Enumerable.Range(0, scores.Length).Where(i => anomalous[i]).Sum(i => ranks[i]);
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }

    /// <summary>Average precision: Σ (Rₙ − Rₙ₋₁) Pₙ over the distinct score thresholds, highest first (sklearn's average_precision_score).</summary>
    public static double AveragePrecision(float[] scores, bool[] anomalous)
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        double positives = anomalous.Count(a => a), truePositives = 0, seen = 0, previousRecall = 0, precisionSum = 0;
        for (int k = 0; k < order.Length; k++)
        {
            seen++;
            if (anomalous[order[k]])
                truePositives++;
            if (k + 1 < order.Length && scores[order[k + 1]] == scores[order[k]])
                continue;
            double recall = truePositives / positives;
            precisionSum += (recall - previousRecall) * (truePositives / seen);
            previousRecall = recall;
        }
        return precisionSum;
    }
}
