using Autoencoders.Training.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Autoencoders.ML.Scoring;

/// <summary>Decodes codes drawn from N(0, I) with a model's decoder graph: generation from a variational autoencoder.</summary>
internal static class DecoderSampler
{
    public static float[][] Sample(AutoencoderOnnxModel model, int count, int seed)
    {
        int latent = model.LatentSize;
        var random = new Random(seed);
        var codes = new float[checked(count * latent)];
        for (int i = 0; i < codes.Length; i++)
            codes[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        using var session = new InferenceSession(model.ExtractDecoder());
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(OnnxNames.Latent, new DenseTensor<float>(codes, [count, latent]))]);
        var values = outputs.Single().AsTensor<float>().ToArray();
        int width = model.InputSize;
        return Enumerable.Range(0, count).Select(r => values.AsSpan(r * width, width).ToArray()).ToArray();
    }
}
