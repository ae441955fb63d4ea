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
    /// For a variational model scored by negative ELBO, returns the name of the per-row KL term; otherwise null.
    /// </summary>
    public static string? Append(OnnxGraphBuilder g, DenseAutoencoder model, string standardized, string restored, VariationalScore score, double klWeight)
    {
        string? divergence = null;
        if (model.Variational)
        {
            // The last encoder layer gives mean ‖ log-variance; the code (and the reconstruction) is the mean.
            long latent = model.LatentSize;
            string both = AppendLayers(g, model.EncoderLayers, standardized, "encoder", "encoder_distribution");
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
            AppendLayers(g, model.EncoderLayers, standardized, "encoder", OnnxNames.Latent);
        AppendDecoder(g, model, OnnxNames.Latent, restored);
        return divergence;
    }

    /// <summary>Appends the decoder from <paramref name="latent"/> to <paramref name="restored"/> (standardized).</summary>
    private static string AppendDecoder(OnnxGraphBuilder g, DenseAutoencoder model, string latent, string restored) =>
        AppendLayers(g, model.DecoderLayers, latent, "decoder", restored);

    private static string AppendLayers(OnnxGraphBuilder g, IReadOnlyList<Layer> layers, string input, string prefix, string output)
    {
        string current = input;
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
        }
        return current;
    }
}
