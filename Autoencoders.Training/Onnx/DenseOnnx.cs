using Autoencoders.Training.Models;
using Autoencoders.Training.Trainers;
using TorchSharp.Modules;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;

namespace Autoencoders.Training.Onnx;

/// <summary>The ONNX translation of <see cref="DenseAutoencoder"/>: its layers as Gemm / BatchNormalization / activation nodes.</summary>
internal static class DenseOnnx
{
    /// <summary>
    /// Appends encoder and decoder; writes <see cref="OnnxNames.Latent"/> and <paramref name="restored"/> (standardized).
    /// Returns the name of the per-row KL term for a variational model scored by negative ELBO (otherwise null), and the
    /// name of the hidden features nearest-neighbour scoring compares (<see cref="DenseAutoencoder.HiddenFeatures"/>).
    /// </summary>
    public static (string? Divergence, string Hidden) Append(OnnxGraphBuilder g, DenseAutoencoder model, string standardized, string restored, VariationalScore score, double klWeight)
    {
        string? divergence = null;
        List<string> encoder;
        if (model.Variational)
        {
            // The last encoder layer gives mean ‖ log-variance; the code (and the reconstruction) is the mean.
            long latent = model.LatentSize;
            encoder = AppendLayers(g, model.EncoderLayers, standardized, "encoder", "encoder_distribution");
            string both = encoder[^1];
            string axes = g.Initializer("slice_axes", [1L], 1);
            g.Node("Slice", [both, g.Initializer("mean_start", [0L], 1), g.Initializer("mean_end", [latent], 1), axes], OnnxNames.Latent);
            string logVariance = g.Node("Slice", [both, g.Initializer("log_variance_start", [latent], 1), g.Initializer("log_variance_end", [2 * latent], 1), axes], "log_variance");
            if (score == VariationalScore.NegativeElbo)
            {
                // KL(N(μ, σ²) ‖ N(0, I)) = −½ Σ (1 + log σ² − μ² − σ²), scaled by 2β / features like the training objective.
                string terms = g.Node("Sub", [g.Node("Sub", [g.Node("Add", [logVariance, LayerOnnx.Constant(g, "one", 1f)]), g.Node("Mul", [OnnxNames.Latent, OnnxNames.Latent])]), g.Node("Exp", [logVariance])]);
                string sum = g.Node("ReduceSum", [terms, g.Initializer("kl_axes", [1L], 1)], null, Attribute("keepdims", 0L));
                divergence = g.Node("Mul", [sum, LayerOnnx.Constant(g, "kl_scale", (float)(-0.5 * 2 * klWeight / model.InputSize))], "kl_term");
            }
        }
        else
            encoder = AppendLayers(g, model.EncoderLayers, standardized, "encoder", OnnxNames.Latent);
        AppendDecoder(g, model, OnnxNames.Latent, restored);
        return (divergence, model.FirstHiddenBlockLayers == 0 ? OnnxNames.Latent : encoder[model.FirstHiddenBlockLayers - 1]);
    }

    /// <summary>
    /// Appends <see cref="DenseAutoencoder.HiddenFeatures"/> alone for <paramref name="standardized"/> rows (the first hidden
    /// block, or the whole encoder and the code when there is none), its named outputs prefixed with <paramref name="prefix"/>
    /// and reading the encoder's own weights; returns the features' name. The nearest-neighbour score uses it for smoothed images.
    /// </summary>
    public static string AppendHidden(OnnxGraphBuilder g, DenseAutoencoder model, string standardized, string prefix)
    {
        if (model.FirstHiddenBlockLayers > 0)
            return AppendLayers(g, model.EncoderLayers.Take(model.FirstHiddenBlockLayers).ToList(), standardized, "encoder", prefix + "hidden")[^1];
        string encoded = AppendLayers(g, model.EncoderLayers, standardized, "encoder", prefix + (model.Variational ? "encoder_distribution" : "hidden"))[^1];
        return model.Variational
            ? g.Node("Slice", [encoded, g.Initializer("mean_start", [0L], 1), g.Initializer("mean_end", [(long)model.LatentSize], 1),
                g.Initializer("slice_axes", [1L], 1)], prefix + "hidden")
            : encoded;
    }

    /// <summary>Appends the decoder from <paramref name="latent"/> to <paramref name="restored"/> (standardized).</summary>
    private static void AppendDecoder(OnnxGraphBuilder g, DenseAutoencoder model, string latent, string restored) =>
        AppendLayers(g, model.DecoderLayers, latent, "decoder", restored);

    /// <summary>Appends the layers; returns each layer's output name (a dropout's is its input's), the last one <paramref name="output"/>.</summary>
    private static List<string> AppendLayers(OnnxGraphBuilder g, IReadOnlyList<Layer> layers, string input, string prefix, string output)
    {
        string current = input;
        var outputs = new List<string>();
        int last = Enumerable.Range(0, layers.Count).Last(i => layers[i].Kind != LayerKind.Dropout);
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            string? name = i == last ? output : null;
            string stem = $"{prefix}_{i}";
            current = layer.Kind switch
            {
                LayerKind.Linear => LayerOnnx.Linear(g, (Linear)layer.Module, current, stem, name),
                LayerKind.BatchNorm => LayerOnnx.BatchNorm(g, (BatchNorm1d)layer.Module, current, stem, name),
                LayerKind.Activation => LayerOnnx.Activate(g, layer.Activation, current, name),
                LayerKind.Dropout => current, // identity at inference
                _ => throw new InvalidOperationException($"No ONNX translation for layer kind {layer.Kind}."),
            };
            outputs.Add(current);
        }
        return outputs;
    }
}
