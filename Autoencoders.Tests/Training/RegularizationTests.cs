using Autoencoders.Tests.Support;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using Autoencoders.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Tests.Training;

[TestClass]
public sealed class RegularizationTests
{
    private static TrainerOptions Options() => new()
    {
        NumberOfEpochs = 20,
        Seed = 2,
        HiddenLayerSizes = [16], LatentSize = 6,
    };

    private static float[] Codes(TrainedAutoencoder trained) => trained.Predict(SyntheticData.Normal(300, 10, seed: 9)).Latent.Values;

    [TestMethod]
    public void L1Sparsity_ShrinksTheCode()
    {
        var data = SyntheticData.Normal(300, 10, seed: 1);
        using var plain = new AutoencoderTrainer(Options()).Fit(data);
        var options = Options();
        options.SparsityL1Weight = 1.0;
        using var sparse = new AutoencoderTrainer(options).Fit(data);
        double plainMean = Codes(plain).Average(Math.Abs);
        double sparseMean = Codes(sparse).Average(Math.Abs);
        Assert.IsLessThan(plainMean / 3, sparseMean, $"mean |code| {plainMean:F3} without, {sparseMean:F3} with L1");
    }

    [TestMethod]
    public void KLSparsity_DrivesTheFiringRateToTheTarget()
    {
        var options = Options();
        options.SparsityKLWeight = 1.0;
        options.SparsityTarget = 0.1;
        options.NumberOfEpochs = 60;
        using var trained = new AutoencoderTrainer(options).Fit(SyntheticData.Normal(300, 10, seed: 1));
        double rate = Codes(trained).Average(v => 1 / (1 + Math.Exp(-v)));
        Assert.AreEqual(0.1, rate, 0.05, $"mean sigmoid(code) {rate:F3}");
    }

    [TestMethod]
    public void ContractivePenalty_IsTheExactJacobianNorm()
    {
        TorchNativeLibrary.EnsureLoaded();
        torch.manual_seed(1);
        using var scope = torch.NewDisposeScope();
        var w1 = torch.randn(5, 4);
        var w2 = torch.randn(3, 5);
        var x = torch.randn(7, 4).requires_grad_(true);
        var code = torch.tanh(x.matmul(w1.t())).matmul(w2.t());

        double ours = Regularization.SquaredJacobianNorm(code, x).item<float>();
        // J(x) = W2 · diag(1 − tanh²(W1 x)) · W1 for each row; mean of its squared Frobenius norm.
        double expected = 0;
        var derivative = (1 - torch.tanh(x.detach().matmul(w1.t())).pow(2));
        for (int row = 0; row < 7; row++)
        {
            var jacobian = w2.matmul(torch.diag(derivative[row])).matmul(w1);
            expected += jacobian.pow(2).sum().item<float>();
        }
        Assert.AreEqual(expected / 7, ours, 1e-4 * expected);
    }

    [TestMethod]
    public void ContractiveTraining_FlattensTheEncoder()
    {
        var data = SyntheticData.Normal(300, 10, seed: 1);
        double MeanJacobianNorm(TrainedAutoencoder trained)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.tensor(trained.Standardizer.Transform(data).Values, [data.Rows, data.Columns]).requires_grad_(true);
            return Regularization.SquaredJacobianNorm(trained.Model.Encode(x), x).item<float>();
        }
        using var plain = new AutoencoderTrainer(Options()).Fit(data);
        var options = Options();
        options.ContractiveWeight = 0.5;
        using var contractive = new AutoencoderTrainer(options).Fit(data);
        Assert.IsLessThan(MeanJacobianNorm(plain) / 2, MeanJacobianNorm(contractive));
    }

    [TestMethod]
    public void RegularizedOvercompleteLatent_IsNotWarnedAbout()
    {
        var warnings = new List<string>();
        var options = Options();
        options.LatentSize = 12;
        options.SparsityL1Weight = 0.1;
        options.NumberOfEpochs = 2;
        options.Log = warnings.Add;
        using var _ = new AutoencoderTrainer(options).Fit(SyntheticData.Normal(60, 6, seed: 1));
        Assert.IsFalse(warnings.Any(w => w.Contains("identity")));
    }

    [TestMethod]
    public void InvalidWeights_AreNamed()
    {
        var options = Options();
        options.ContractiveWeight = -1;
        Assert.AreEqual("ContractiveWeight", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(options)).ParamName);
        options = Options();
        options.SparsityTarget = 1;
        Assert.AreEqual("SparsityTarget", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(options)).ParamName);
    }
}
