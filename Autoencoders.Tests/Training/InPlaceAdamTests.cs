using Autoencoders.Training.Native;
using Autoencoders.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Tests.Training;

[TestClass]
public sealed class InPlaceAdamTests
{
    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.01)]
    public void Updates_MatchTorchSharpsAdam(double weightDecay)
    {
        TorchNativeLibrary.EnsureLoaded();
        torch.manual_seed(5);
        using var ours = torch.nn.Linear(6, 3);
        using var reference = torch.nn.Linear(6, 3);
        reference.load_state_dict(ours.state_dict());
        using var adam = new InPlaceAdam(ours.parameters(), 0.01, weightDecay);
        using var referenceAdam = torch.optim.Adam(reference.parameters(), 0.01, weight_decay: weightDecay);
        using var input = torch.randn(16, 6);
        using var target = torch.randn(16, 3);
        for (int step = 0; step < 25; step++)
        {
            using var scope = torch.NewDisposeScope();
            adam.ZeroGrad();
            torch.nn.functional.mse_loss(ours.call(input), target).backward();
            adam.Step();
            referenceAdam.zero_grad();
            torch.nn.functional.mse_loss(reference.call(input), target).backward();
            referenceAdam.step();
        }
        using var difference = (ours.weight! - reference.weight!).abs().max();
        Assert.IsLessThan(1e-6f, difference.item<float>());
        using var biasDifference = (ours.bias! - reference.bias!).abs().max();
        Assert.IsLessThan(1e-6f, biasDifference.item<float>());
    }
}
