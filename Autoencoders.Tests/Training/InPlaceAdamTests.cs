using Autoencoders.Training.Native;
using Autoencoders.Training.Trainers;
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

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.01)]
    public void FusedCpuUpdate_MatchesTheLibtorchOperations(double weightDecay)
    {
        TorchNativeLibrary.EnsureLoaded();
        torch.manual_seed(6);
        using var fused = torch.nn.Sequential(torch.nn.Linear(37, 29), torch.nn.Tanh(), torch.nn.Linear(29, 37)); // vectors and tails
        using var operations = torch.nn.Sequential(torch.nn.Linear(37, 29), torch.nn.Tanh(), torch.nn.Linear(29, 37));
        operations.load_state_dict(fused.state_dict());
        var initial = fused.parameters().Select(p => p.detach().clone()).ToArray();
        using var fusedAdam = new InPlaceAdam(fused.parameters(), 0.003, weightDecay);
        using var operationsAdam = new InPlaceAdam(operations.parameters(), 0.003, weightDecay, fusedOnCpu: false);
        using var input = torch.randn(32, 37);
        for (int step = 0; step < 40; step++)
        {
            using var scope = torch.NewDisposeScope();
            fusedAdam.ZeroGrad();
            torch.nn.functional.mse_loss(fused.call(input), input).backward();
            fusedAdam.Step();
            operationsAdam.ZeroGrad();
            torch.nn.functional.mse_loss(operations.call(input), input).backward();
            operationsAdam.Step();
        }
        foreach (var ((a, b), start) in fused.parameters().Zip(operations.parameters()).Zip(initial))
        {
            using var difference = (a - b).abs().max();
            Assert.IsLessThan(1e-6f, difference.item<float>());
            using var moved = (a - start).abs().max();
            Assert.IsGreaterThan(0.01f, moved.item<float>(), "the parameters must have been updated");
            start.Dispose();
        }
    }
}
