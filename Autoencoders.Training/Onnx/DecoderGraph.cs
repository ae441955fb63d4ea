using Autoencoders.Training.Onnx.Proto;
using Google.Protobuf;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;
using DataType = Autoencoders.Training.Onnx.Proto.TensorProto.Types.DataType;

namespace Autoencoders.Training.Onnx;

/// <summary>
/// The decoder alone, cut out of an exported graph: the nodes that compute <see cref="OnnxNames.Reconstruction"/> from
/// <see cref="OnnxNames.Latent"/>, with the initializers they read. Works on any exported model, also one loaded from a
/// file, so that a fitted ML.NET stage can decode and sample without its TorchSharp model.
/// </summary>
internal static class DecoderGraph
{
    /// <exception cref="InvalidOperationException">The decoder reads more than the code (U-Net skip connections).</exception>
    public static byte[] Extract(AutoencoderOnnxModel model)
    {
        var graph = model.Proto.Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name);
        var (nodes, needed) = GraphSlice.Ancestors(graph, [OnnxNames.Reconstruction], stopAt: OnnxNames.Latent);
        needed.Remove(OnnxNames.Latent);
        var produced = nodes.SelectMany(n => n.Output).ToHashSet();
        string? foreign = needed.FirstOrDefault(n => !produced.Contains(n) && !initializers.ContainsKey(n));
        if (foreign is not null || model.LatentSize == 0)
            throw new InvalidOperationException(
                $"This decoder reads more than the code (U-Net skip connections feed it the encoder's feature maps, a residual model adds its input, full-resolution blocks read the input image; here '{foreign}'), so it cannot decode a code alone.");

        var decoder = new ModelProto
        {
            IrVersion = model.Proto.IrVersion,
            ProducerName = model.Proto.ProducerName,
            ProducerVersion = model.Proto.ProducerVersion,
            Graph = new GraphProto { Name = "autoencoder_decoder" },
        };
        decoder.OpsetImport.AddRange(model.Proto.OpsetImport.Select(o => o.Clone()));
        decoder.Graph.Input.Add(TensorInfo(OnnxNames.Latent, DataType.Float, OnnxNames.BatchDimension, (long)model.LatentSize));
        decoder.Graph.Output.Add(TensorInfo(OnnxNames.Reconstruction, DataType.Float, OnnxNames.BatchDimension, (long)model.InputSize));
        decoder.Graph.Node.AddRange(nodes.Select(n => n.Clone()));
        decoder.Graph.Initializer.AddRange(graph.Initializer.Where(i => needed.Contains(i.Name)).Select(i => i.Clone()));
        foreach (var key in new[] { OnnxNames.VersionKey, OnnxNames.ArchitectureKey })
            if (model.Proto.MetadataProps.FirstOrDefault(p => p.Key == key) is { } entry)
                decoder.MetadataProps.Add(entry.Clone());
        return decoder.ToByteArray();
    }
}
