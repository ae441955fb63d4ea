using TorchSharp;
using static TorchSharp.torch.nn;

namespace Autoencoders.Training.Models;

/// <summary>The kinds of layer an autoencoder is built from; each has a TorchSharp module and an ONNX translation.</summary>
internal enum LayerKind { Linear, BatchNorm, Activation, Dropout }

/// <summary>One layer of an autoencoder: its kind and settings, and the TorchSharp module that implements it.</summary>
internal sealed record Layer(LayerKind Kind, int InputSize, int OutputSize, Activation Activation, double Rate, torch.nn.Module<torch.Tensor, torch.Tensor> Module)
{
    public static Layer Linear(int input, int output) => new(LayerKind.Linear, input, output, default, 0, torch.nn.Linear(input, output));

    public static Layer BatchNorm(int size) => new(LayerKind.BatchNorm, size, size, default, 0, BatchNorm1d(size));

    public static Layer Dropout(int size, double rate) => new(LayerKind.Dropout, size, size, default, rate, torch.nn.Dropout(rate));

    public static Layer Activate(int size, Activation activation) => new(LayerKind.Activation, size, size, activation, 0, activation switch
    {
        Activation.ReLU => ReLU(),
        Activation.LeakyReLU => new LeakyReLU(LeakyReluSlope),
        Activation.Tanh => Tanh(),
        Activation.GELU => GELU(),
        Activation.Sigmoid => Sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    });

    /// <summary>Negative slope of <see cref="Activation.LeakyReLU"/>, as in PyTorch.</summary>
    public const double LeakyReluSlope = 0.01;

    /// <summary>
    /// A stack of fully connected layers from <paramref name="input"/> through <paramref name="hidden"/> to <paramref name="output"/>:
    /// each hidden layer is Linear → [BatchNorm] → activation → [Dropout]; the last Linear has no activation.
    /// </summary>
    public static List<Layer> Stack(int input, IEnumerable<int> hidden, int output, DenseArchitecture architecture)
    {
        var layers = new List<Layer>();
        int size = input;
        foreach (int width in hidden)
        {
            layers.Add(Linear(size, width));
            if (architecture.UseBatchNormalization)
                layers.Add(BatchNorm(width));
            layers.Add(Activate(width, architecture.Activation));
            if (architecture.DropoutRate > 0)
                layers.Add(Dropout(width, architecture.DropoutRate));
            size = width;
        }
        layers.Add(Linear(size, output));
        return layers;
    }
}
