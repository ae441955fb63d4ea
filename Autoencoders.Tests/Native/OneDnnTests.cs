using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Tests.Native;

/// <summary>
/// libtorch 2.10's oneDNN convolution gradients are wrong unless the output channels fill whole blocks of 16 (see
/// <see cref="OneDnn"/>). These tests check the rule the library relies on against float64, and that every network
/// trains with correct gradients whichever way <see cref="OneDnn.ConfigureFor"/> decides.
/// </summary>
[TestClass]
public sealed class OneDnnTests
{
    /// <summary>Largest relative error (max abs difference / max abs value) of a convolution's input and weight gradients, float32 vs float64, over 20 calls.</summary>
    private static double ConvolutionGradientError(long inChannels, long outChannels)
    {
        double worst = 0;
        torch.manual_seed(3);
        using var scope = torch.NewDisposeScope();
        var weight = torch.randn(outChannels, inChannels, 3, 3) * 0.1;
        for (int call = 0; call < 20; call++)
        {
            var input = torch.randn(64, inChannels, 14, 14);
            var upstream = torch.randn(64, outChannels, 14, 14);
            Tensor[] Gradients(ScalarType type)
            {
                var x = input.to(type).requires_grad_(true);
                var w = weight.to(type).requires_grad_(true);
                return [.. torch.autograd.grad([nn.functional.conv2d(x, w, padding: [1, 1])], [x, w], [upstream.to(type)])];
            }
            var single = Gradients(ScalarType.Float32);
            var reference = Gradients(ScalarType.Float64);
            for (int i = 0; i < 2; i++)
                worst = Math.Max(worst, RelativeError(single[i], reference[i]));
        }
        return worst;
    }

    private static double RelativeError(Tensor single, Tensor reference)
    {
        var difference = (single.to(ScalarType.Float64) - reference).abs().max().item<double>();
        return double.IsFinite(difference) ? difference / reference.abs().max().item<double>() : double.PositiveInfinity;
    }

    [TestMethod]
    public void OneDnnGradients_AreRightForFullChannelBlocks()
    {
        TorchNativeLibrary.EnsureLoaded();
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(2);
            Assert.IsTrue(OneDnn.TrySet(true));
            Assert.IsTrue(OneDnn.Enabled);
            foreach (var (input, output) in new[] { (1L, 16L), (1L, 32L), (16L, 16L), (32L, 64L), (64L, 32L), (48L, 16L) })
                Assert.IsLessThan(1e-4, ConvolutionGradientError(input, output), $"{input}→{output} with oneDNN");
            // Why the rule exists (printed, not asserted: a later libtorch may fix it).
            Console.WriteLine($"32→1 with oneDNN: relative gradient error {ConvolutionGradientError(32, 1):E2}; 4→8: {ConvolutionGradientError(4, 8):E2}");

            Assert.IsTrue(OneDnn.TrySet(false));
            Assert.IsFalse(OneDnn.Enabled);
            foreach (var (input, output) in new[] { (32L, 1L), (4L, 8L), (1L, 4L) })
                Assert.IsLessThan(1e-4, ConvolutionGradientError(input, output), $"{input}→{output} without oneDNN");
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    public static IEnumerable<object[]> Networks =>
    [
        [new ImageShape(1, 28, 28), new ConvolutionalArchitecture()],
        [new ImageShape(3, 12, 10), new ConvolutionalArchitecture { Channels = [16, 32], Upsampling = Upsampling.TransposedConvolution, SkipConnections = true }],
        [new ImageShape(1, 11, 9), new ConvolutionalArchitecture { Channels = [4, 8], Downsampling = Downsampling.MaxPooling }],
    ];

    [TestMethod]
    [DynamicData(nameof(Networks))]
    public void NetworkGradients_MatchFloat64_AsConfiguredForTraining(ImageShape image, ConvolutionalArchitecture architecture)
    {
        TorchNativeLibrary.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using var network = new ConvolutionalAutoencoder(image, architecture.Clone());
        OneDnn.Configure(network.FitsOneDnnBlocks, ConvolutionalAutoencoder.ChannelBlock, null);
        Assert.AreEqual(network.FitsOneDnnBlocks, OneDnn.Enabled);
        var x = torch.randn(32, image.Size);

        Tensor[] Gradients()
        {
            network.zero_grad();
            var input = x.to(network.parameters().First().dtype);
            nn.functional.mse_loss(network.call(input), input).backward();
            return [.. network.parameters().Select(p => p.grad!.detach().clone())];
        }
        var single = Gradients();
        network.to(ScalarType.Float64);
        var reference = Gradients();
        // Relative to the parameter's own gradient, or to 1% of the largest one: a bias just before batch norm has a
        // gradient of zero in exact arithmetic, so float32 rounding is all there is of it.
        double largest = reference.Max(r => r.abs().max().item<double>());
        for (int i = 0; i < single.Length; i++)
        {
            double difference = (single[i].to(ScalarType.Float64) - reference[i]).abs().max().item<double>();
            double error = difference / Math.Max(reference[i].abs().max().item<double>(), 0.01 * largest);
            Assert.IsLessThan(1e-3, error, $"parameter {i} of {architecture.Describe(image)}");
        }
    }
}
