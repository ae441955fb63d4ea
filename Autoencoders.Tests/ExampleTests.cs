using Autoencoders.Tests.Support;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Autoencoders.Tests;

/// <summary>The README's example command, run as a user would: it must succeed and end with its summary line.</summary>
[TestClass]
public sealed class ExampleTests
{
    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void AnomalyDetectionExample_PrintsItsTableAndSummary()
    {
        string output = Run("examples/AnomalyDetection", "");
        StringAssert.Contains(output, "| RandomizedPca (ML.NET)");
        StringAssert.Contains(output, "Reloaded with LoadWithAutoencoders: scores identical: True.");
        var last = output.TrimEnd().Split('\n')[^1].Trim();
        var match = Regex.Match(last, @"^autoencoder AUC: (\d\.\d{4}); RandomizedPca AUC: (\d\.\d{4})$");
        Assert.IsTrue(match.Success, $"last line: {last}");
        Assert.IsGreaterThan(0.9, double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The Fashion-MNIST image example, shortened (1 epoch, 600 training and 1,000 test images); .ci/setup installs the data.</summary>
    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void ImageAnomalyDetectionExample_TrainsThroughTheImagePipelineAndWritesItsPng()
    {
        string png = Path.Combine(Path.GetTempPath(), $"fmnist-{Guid.NewGuid():N}.png");
        try
        {
            string output = Run("examples/ImageAnomalyDetection", $"-- --class 1 --epochs 1 --train-images 600 --test-images 1000 --output {png}");
            StringAssert.Contains(output, "training on 600 images; testing on 1000");
            Assert.IsTrue(File.Exists(png) && new FileInfo(png).Length > 1000, "PNG written");
            var last = output.TrimEnd().Split('\n')[^1].Trim();
            var match = Regex.Match(last, @"^AUC: (\d\.\d{4})$");
            Assert.IsTrue(match.Success, $"last line: {last}");
            // Trousers against the other nine classes, even after one epoch on 600 images.
            Assert.IsGreaterThan(0.8, double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(png);
        }
    }

    private static string Run(string project, string arguments) =>
        Processes.RunChecked("dotnet", $"run --project {project} {arguments}", Processes.RepositoryRoot);
}
