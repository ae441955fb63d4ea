using Autoencoders.Training.Onnx.Proto;
using Google.Protobuf;

namespace Autoencoders.Training.Onnx;

/// <summary>
/// Parts of an exported graph: the nodes that compute some of its values. ONNX Runtime runs every node of a graph
/// whatever outputs a caller fetches, so a host that reads only the score runs the graph cut down to the score
/// (<see cref="WithOutputs"/>); the decoder alone (<see cref="DecoderGraph"/>) is cut out the same way.
/// </summary>
internal static class GraphSlice
{
    /// <summary>
    /// The nodes of <paramref name="graph"/> that compute <paramref name="values"/>, in graph order, walking back no
    /// further than <paramref name="stopAt"/>; and every name those nodes read (graph inputs, initializers, values
    /// computed by the nodes themselves, <paramref name="stopAt"/>).
    /// </summary>
    public static (List<NodeProto> Nodes, HashSet<string> Reads) Ancestors(GraphProto graph, IEnumerable<string> values, string? stopAt = null)
    {
        var needed = new HashSet<string>(values);
        var nodes = new List<NodeProto>();
        for (int i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (!node.Output.Any(needed.Contains))
                continue;
            nodes.Add(node);
            foreach (string input in node.Input.Where(n => n.Length > 0 && n != stopAt))
                needed.Add(input);
        }
        nodes.Reverse();
        return (nodes, needed);
    }

    /// <summary>
    /// <paramref name="model"/> with only <paramref name="outputs"/> among its outputs, and only the nodes and initializers
    /// they need; inputs, opsets and metadata as they are.
    /// </summary>
    /// <exception cref="ArgumentException">An output is not one of the model's.</exception>
    public static byte[] WithOutputs(AutoencoderOnnxModel model, IReadOnlyCollection<string> outputs)
    {
        var graph = model.Proto.Graph;
        string? unknown = outputs.FirstOrDefault(o => graph.Output.All(g => g.Name != o));
        if (unknown is not null)
            throw new ArgumentException($"'{unknown}' is not an output of this model; it has {string.Join(", ", graph.Output.Select(o => o.Name))}.", nameof(outputs));
        var (nodes, reads) = Ancestors(graph, outputs);
        var cut = new ModelProto
        {
            IrVersion = model.Proto.IrVersion,
            ProducerName = model.Proto.ProducerName,
            ProducerVersion = model.Proto.ProducerVersion,
            Graph = new GraphProto { Name = graph.Name },
        };
        cut.OpsetImport.AddRange(model.Proto.OpsetImport.Select(o => o.Clone()));
        cut.MetadataProps.AddRange(model.Proto.MetadataProps.Select(p => p.Clone()));
        cut.Graph.Input.AddRange(graph.Input.Select(i => i.Clone()));
        cut.Graph.Output.AddRange(graph.Output.Where(o => outputs.Contains(o.Name)).Select(o => o.Clone()));
        cut.Graph.Node.AddRange(nodes.Select(n => n.Clone()));
        cut.Graph.Initializer.AddRange(graph.Initializer.Where(i => reads.Contains(i.Name)).Select(i => i.Clone()));
        return cut.ToByteArray();
    }
}
