using Autoencoders.Training.Data;
using Autoencoders.Training.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Autoencoders.Tests.Support;

/// <summary>Scores an exported model with ONNX Runtime directly, the way a Python or C++ host would.</summary>
internal static class Ort
{
    public static Dictionary<string, float[]> Run(byte[] model, FeatureMatrix data, out bool[] labels)
    {
        using var session = new InferenceSession(model);
        var input = new DenseTensor<float>(data.Values, [data.Rows, data.Columns]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxNames.Features, input)]);
        labels = results.Single(r => r.Name == OnnxNames.PredictedLabel).AsTensor<bool>().ToArray();
        return results.Where(r => r.Name != OnnxNames.PredictedLabel).ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }
}
