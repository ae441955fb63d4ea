using ScottPlot;

namespace Autoencoders.Examples;

/// <summary>Charts for the examples and benchmarks, drawn with ScottPlot 5 and saved as PNG.</summary>
internal static class Plots
{
    private static readonly Color[] Palette = new ScottPlot.Palettes.Category10().Colors;

    /// <summary>2-D points colored by class, with axes and a legend of the class names.</summary>
    public static void Scatter(string path, IReadOnlyList<float[]> points, IReadOnlyList<int> classes, IReadOnlyList<string> names, string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        for (int k = 0; k < names.Count; k++)
        {
            var members = Enumerable.Range(0, points.Count).Where(i => classes[i] == k).ToList();
            var scatter = plot.Add.ScatterPoints(members.Select(i => (double)points[i][0]).ToArray(), members.Select(i => (double)points[i][1]).ToArray());
            scatter.Color = Palette[k % Palette.Length];
            scatter.MarkerSize = 4;
            scatter.LegendText = names[k];
        }
        Finish(plot, path, title, xLabel, yLabel, 700, 560);
    }

    /// <summary>Training and (when present) validation loss per epoch.</summary>
    public static void Losses(string path, IReadOnlyList<(int Epoch, double Training, double? Validation)> history, string title)
    {
        var plot = new Plot();
        var epochs = history.Select(h => (double)h.Epoch).ToArray();
        var training = plot.Add.Scatter(epochs, history.Select(h => h.Training).ToArray());
        training.LegendText = "training loss";
        training.MarkerSize = 0;
        if (history.All(h => h.Validation is not null))
        {
            var validation = plot.Add.Scatter(epochs, history.Select(h => h.Validation!.Value).ToArray());
            validation.LegendText = "validation loss";
            validation.MarkerSize = 0;
        }
        plot.Axes.SetLimitsY(0, history.Max(h => Math.Max(h.Training, h.Validation ?? 0)) * 1.05);
        Finish(plot, path, title, "epoch", "loss (standardized units)", 640, 400);
    }

    /// <summary>Histograms of the scores of normal and anomalous rows, with the threshold marked.</summary>
    public static void ScoreHistogram(string path, IReadOnlyList<float> normal, IReadOnlyList<float> anomalous, float threshold, string title, string xLabel)
    {
        var plot = new Plot();
        var all = normal.Concat(anomalous).Where(float.IsFinite).Select(s => (double)s).ToList();
        double high = Percentile(all, 0.98);
        foreach (var (scores, name, color) in new[] { (normal, "normal", Palette[0]), (anomalous, "anomalous", Palette[3]) })
        {
            var histogram = ScottPlot.Statistics.Histogram.WithBinCount(40, 0, high);
            histogram.AddRange(scores.Select(s => Math.Min(s, high - 1e-9)));
            var bars = plot.Add.Bars(histogram.Bins, histogram.Counts);
            bars.Color = color.WithAlpha(0.55);
            bars.LegendText = name;
            foreach (var bar in bars.Bars)
            {
                bar.Size = histogram.FirstBinSize * 0.95;
                bar.LineWidth = 0;
            }
        }
        var line = plot.Add.VerticalLine(threshold);
        line.LegendText = $"threshold {threshold:G4}";
        line.Color = Colors.Black;
        line.LinePattern = LinePattern.Dashed;
        Finish(plot, path, title, xLabel, "rows", 640, 400);
    }

    /// <summary>ROC curves of several detectors on the same labels (true = anomaly), with their AUC in the legend.</summary>
    public static void Roc(string path, IReadOnlyList<(string Name, float[] Scores)> detectors, IReadOnlyList<bool> anomalous, string title)
    {
        var plot = new Plot();
        foreach (var (name, scores) in detectors)
        {
            var (fpr, tpr, auc) = RocCurve(scores, anomalous);
            var curve = plot.Add.Scatter(fpr, tpr);
            curve.MarkerSize = 0;
            curve.LegendText = $"{name} (AUC {auc:F3})";
        }
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.Color = Colors.Gray;
        chance.LinePattern = LinePattern.Dotted;
        plot.Axes.SetLimits(0, 1, 0, 1);
        Finish(plot, path, title, "false-positive rate", "true-positive rate", 560, 520, Alignment.LowerRight);
    }

    private static (double[] Fpr, double[] Tpr, double Auc) RocCurve(float[] scores, IReadOnlyList<bool> anomalous)
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToList();
        double positives = anomalous.Count(a => a), negatives = anomalous.Count - positives;
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        double tp = 0, fp = 0, auc = 0;
        for (int k = 0; k < order.Count; k++)
        {
            if (anomalous[order[k]]) tp++; else fp++;
            bool last = k == order.Count - 1 || scores[order[k + 1]] != scores[order[k]];
            if (!last)
                continue;
            double x = fp / negatives, y = tp / positives;
            auc += (x - fpr[^1]) * (y + tpr[^1]) / 2;
            fpr.Add(x);
            tpr.Add(y);
        }
        return ([.. fpr], [.. tpr], auc);
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 1 : Math.Max(sorted[(int)Math.Min(sorted.Count - 1, q * sorted.Count)], 1e-6);
    }

    private static void Finish(Plot plot, string path, string title, string xLabel, string yLabel, int width, int height, Alignment legend = Alignment.UpperRight)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        plot.SavePng(path, width, height);
    }
}
