using Autoencoders.Training.Native;
using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;
using TorchSharp;
using TorchSharp.Modules;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;

namespace Autoencoders.Training.Onnx;

/// <summary>ONNX translations of single TorchSharp layers (evaluation mode), shared by the dense and convolutional exports.</summary>
internal static class LayerOnnx
{
    /// <summary>Gemm with the transposed weight: y = x·Wᵀ + b.</summary>
    public static string Linear(OnnxGraphBuilder g, Linear linear, string input, string stem, string? output = null) =>
        g.Node("Gemm", [input, Weight(g, linear.weight!, stem + "_weight"), Weight(g, linear.bias!, stem + "_bias")], output, Attribute("transB", 1L));

    /// <summary>BatchNormalization with the running statistics (any rank: rows × features, or images).</summary>
    public static string BatchNorm(OnnxGraphBuilder g, BatchNorm norm, string input, string stem, string? output = null) =>
        g.Node("BatchNormalization", [input, Weight(g, norm.weight!, stem + "_scale"), Weight(g, norm.bias!, stem + "_bias"),
            Weight(g, norm.running_mean!, stem + "_running_mean"), Weight(g, norm.running_var!, stem + "_running_var")],
            output, Attribute("epsilon", (float)norm.eps));

    /// <summary>
    /// Conv or ConvTranspose with the module's kernel, stride, symmetric padding and output padding; with
    /// <paramref name="outputChannels"/>, only the first that many output channels of a Conv.
    /// </summary>
    public static string Convolution(OnnxGraphBuilder g, Convolution convolution, string input, string stem, string? output = null, long? outputChannels = null)
    {
        long[] padding = convolution.padding ?? throw new InvalidOperationException("Only explicit padding is exported.");
        long[] pads = [.. padding, .. padding];
        var attributes = new List<Proto.AttributeProto>
        {
            Attribute("kernel_shape", convolution.kernel_size), Attribute("strides", convolution.stride),
            Attribute("pads", pads), Attribute("dilations", convolution.dilation), Attribute("group", convolution.groups),
        };
        if (convolution.transposed)
            attributes.Add(Attribute("output_padding", convolution.output_padding));
        var (weight, bias) = (convolution.weight!.detach(), convolution.bias!.detach());
        if (outputChannels is long kept && !convolution.transposed)
            (weight, bias) = (weight.narrow(0, 0, kept), bias.narrow(0, 0, kept));
        return g.Node(convolution.transposed ? "ConvTranspose" : "Conv",
            [input, Weight(g, weight, stem + "_weight"), Weight(g, bias, stem + "_bias")], output, [.. attributes]);
    }

    /// <summary>The nonlinearity, elementwise.</summary>
    public static string Activate(OnnxGraphBuilder g, Activation activation, string input, string? output = null) => activation switch
    {
        Activation.ReLU => g.Node("Relu", [input], output),
        Activation.LeakyReLU => g.Node("LeakyRelu", [input], output, Attribute("alpha", (float)Layer.LeakyReluSlope)),
        Activation.Tanh => g.Node("Tanh", [input], output),
        Activation.Sigmoid => g.Node("Sigmoid", [input], output),
        // Opset 17 has no Gelu: 0.5·x·(1 + erf(x/√2)), the exact form TorchSharp's GELU computes.
        Activation.GELU => g.Node("Mul", [g.Node("Mul", [input, g.Node("Add", [g.Node("Erf", [g.Node("Div", [input, Constant(g, "sqrt2", MathF.Sqrt(2f))])]), Constant(g, "one", 1f)])]), Constant(g, "half", 0.5f)], output),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>A scalar float initializer with a fresh name.</summary>
    public static string Constant(OnnxGraphBuilder g, string stem, float value) => g.Initializer(g.UniqueName(stem), [value]);

    private static string Weight(OnnxGraphBuilder g, torch.Tensor tensor, string name) =>
        g.Initializer(name, TensorMemory.ToArray(tensor), tensor.shape);
}
