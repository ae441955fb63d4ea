using Autoencoders.Training.Onnx.Proto;
using Google.Protobuf;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;
using DataType = Autoencoders.Training.Onnx.Proto.TensorProto.Types.DataType;

namespace Autoencoders.Training.Onnx;

/// <summary>
/// Rewrites an exported (batch) autoencoder graph into the one-row form that ML.NET's ONNX transformer maps to plain
/// columns, and back.
/// </summary>
/// <remarks>
/// ML.NET feeds ONNX models one row at a time and types each output from its declared shape; [N, k] outputs would become
/// [1, k] tensors. The row graph takes [1, features] under the caller's input name, runs the original nodes (renamed
/// under <see cref="OnnxNames.ReservedPrefix"/>) and reshapes each requested output to a plain [k] vector under the
/// caller's name. The batch graph's own inputs and outputs are kept as value infos, and a caller's tag as metadata, so
/// <see cref="TryRestore"/> gives back the batch graph byte for byte. It is a valid ONNX model in its own right.
/// </remarks>
internal static class RowGraph
{
    /// <summary>Metadata key of the caller's tag (for ML.NET: the stage's column settings).</summary>
    public const string TagKey = OnnxNames.MetadataPrefix + "mlnet_columns";

    private const string ShapePrefix = OnnxNames.ReservedPrefix + "row_shape";

    private static string Reserve(string name) => name.Length == 0 ? name : OnnxNames.ReservedPrefix + name;

    private static string Unreserve(string name) =>
        name.StartsWith(OnnxNames.ReservedPrefix, StringComparison.Ordinal) ? name[OnnxNames.ReservedPrefix.Length..] : name;

    public static byte[] Create(AutoencoderOnnxModel model, string inputName, IReadOnlyList<AutoencoderOnnxModel.RowGraphOutput> outputs, string tag)
    {
        var proto = model.Proto.Clone();
        var graph = proto.Graph;
        RenameAll(graph, Reserve);
        var originalOutputs = graph.Output.ToDictionary(o => o.Name);
        // Kept (renamed) so that the batch graph's declarations come back exactly.
        var declarations = graph.Input.Concat(graph.Output).Select(v => { var copy = v.Clone(); copy.Name = Reserve(v.Name); return copy; }).ToList();
        graph.Input.Clear();
        graph.Output.Clear();
        graph.ValueInfo.Clear();
        graph.ValueInfo.AddRange(declarations);

        var g = new OnnxGraphBuilder(graph);
        graph.Input.Add(TensorInfo(inputName, DataType.Float, 1L, (long)model.InputSize));
        g.Node("Identity", [inputName], Reserve(model.InputName));
        var identity = graph.Node[^1]; // nodes must stay topologically sorted: the input's Identity goes first
        graph.Node.RemoveAt(graph.Node.Count - 1);
        graph.Node.Insert(0, identity);
        proto.MetadataProps.Add(new StringStringEntryProto { Key = TagKey, Value = tag });
        foreach (var (output, name) in outputs)
        {
            if (!originalOutputs.TryGetValue(output, out var info))
                throw new InvalidOperationException($"The model has no '{output}' output, so '{name}' cannot be produced." +
                    (output == OnnxNames.ScoreFunction ? " The score function needs a denoiser trained with unclipped Gaussian noise as its only corruption." : ""));
            var dims = info.Type.TensorType.Shape.Dim;
            long width = dims.Count == 1 ? 1 : dims[1].DimValue;
            string shape = g.Initializer(g.UniqueName(ShapePrefix), [width], 1);
            g.Node("Reshape", [Reserve(output), shape], name);
            graph.Output.Add(TensorInfo(name, (DataType)info.Type.TensorType.ElemType, width));
        }
        return proto.ToByteArray();
    }

    /// <summary>The batch graph and the tag of a row graph made by <see cref="Create"/>; null for any other ONNX model.</summary>
    public static (AutoencoderOnnxModel Model, string Tag)? TryRestore(ModelProto row)
    {
        var entry = row.MetadataProps.FirstOrDefault(p => p.Key == TagKey);
        var graph = row.Graph;
        if (entry is null || graph is null || graph.Node.Count == 0 || graph.Node[0].OpType != "Identity")
            return null;
        var proto = row.Clone();
        graph = proto.Graph;
        proto.MetadataProps.Remove(proto.MetadataProps.First(p => p.Key == TagKey));

        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        string input = Unreserve(graph.Node[0].Output[0]);
        graph.Node.RemoveAt(0);
        foreach (var reshape in graph.Node.Where(n => n.OpType == "Reshape" && outputs.Contains(n.Output[0])).ToList())
            graph.Node.Remove(reshape);
        foreach (var shape in graph.Initializer.Where(i => i.Name.StartsWith(ShapePrefix, StringComparison.Ordinal)).ToList())
            graph.Initializer.Remove(shape);
        RenameAll(graph, Unreserve);

        var declarations = graph.ValueInfo.ToList();
        graph.Input.Clear();
        graph.Output.Clear();
        graph.ValueInfo.Clear();
        if (declarations.Count > 0)
        {
            foreach (var declaration in declarations)
            {
                declaration.Name = Unreserve(declaration.Name);
                (declaration.Name == input ? graph.Input : graph.Output).Add(declaration);
            }
        }
        else
        {
            // Row graphs saved by version 0.1.0 kept no declarations: the outputs were the fixed set below.
            var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
            int inputSize = int.Parse(metadata[OnnxNames.InputSizeKey], System.Globalization.CultureInfo.InvariantCulture);
            int latentSize = int.Parse(metadata[OnnxNames.LatentSizeKey], System.Globalization.CultureInfo.InvariantCulture);
            graph.Input.Add(TensorInfo(input, DataType.Float, OnnxNames.BatchDimension, (long)inputSize));
            graph.Output.Add(TensorInfo(OnnxNames.Reconstruction, DataType.Float, OnnxNames.BatchDimension, (long)inputSize));
            graph.Output.Add(TensorInfo(OnnxNames.Latent, DataType.Float, OnnxNames.BatchDimension, (long)latentSize));
            graph.Output.Add(TensorInfo(OnnxNames.FeatureErrors, DataType.Float, OnnxNames.BatchDimension, (long)inputSize));
            graph.Output.Add(TensorInfo(OnnxNames.Score, DataType.Float, OnnxNames.BatchDimension));
            graph.Output.Add(TensorInfo(OnnxNames.PredictedLabel, DataType.Bool, OnnxNames.BatchDimension));
            if (metadata.ContainsKey(OnnxNames.ScoreFunctionSigmaKey))
                graph.Output.Add(TensorInfo(OnnxNames.ScoreFunction, DataType.Float, OnnxNames.BatchDimension, (long)inputSize));
        }
        return (new AutoencoderOnnxModel(proto, "the saved scoring graph"), entry.Value);
    }

    /// <summary>Renames every node, node input and output, and initializer of <paramref name="graph"/>.</summary>
    private static void RenameAll(GraphProto graph, Func<string, string> rename)
    {
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
                node.Input[i] = rename(node.Input[i]);
            for (int i = 0; i < node.Output.Count; i++)
                node.Output[i] = rename(node.Output[i]);
            node.Name = rename(node.Name);
        }
        foreach (var initializer in graph.Initializer)
            initializer.Name = rename(initializer.Name);
    }
}
