using Autoencoders.Training.Onnx;
using Autoencoders.Training.Onnx.Proto;
using Google.Protobuf;
using static Autoencoders.Training.Onnx.OnnxGraphBuilder;
using DataType = Autoencoders.Training.Onnx.Proto.TensorProto.Types.DataType;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// Rewrites an exported (batch) autoencoder graph into the one-row form ML.NET's ONNX transformer maps to plain columns.
/// </summary>
/// <remarks>
/// ML.NET feeds ONNX models one row at a time and types each output from its declared shape; [N, k] outputs would become
/// [1, k] tensors. This graph takes [1, features] under the feature column's name, runs the original nodes (renamed
/// under <see cref="InternalPrefix"/>) and reshapes each requested output to a plain [k] vector named after its column.
/// ML.NET 5's ONNX transformer cannot produce scalar columns (its getter for rank-0 outputs throws), so the score leaves
/// the graph as a 1-vector and <see cref="ScoreColumn"/> makes it a scalar. It is a valid ONNX model in its own right.
/// </remarks>
internal static class RowScoringGraph
{
    public const string InternalPrefix = "autoencoder/";

    /// <summary>Metadata key under which the one-row graph records the columns it was made for (<see cref="ScoringColumns"/>).</summary>
    public const string ColumnsKey = OnnxNames.MetadataPrefix + "mlnet_columns";

    private const string ShapePrefix = InternalPrefix + "row_shape";

    /// <summary>The one-element vector column the graph writes the score to; <see cref="ScoreColumn"/> turns it into a scalar.</summary>
    public const string ScoreVectorColumn = InternalPrefix + "ScoreVector";

    /// <summary>
    /// The name under which the graph emits <paramref name="column"/>: the column's own name, except for a column that
    /// replaces the feature column (a graph cannot output its input's name); the scorer copies that one into place.
    /// </summary>
    public static string GraphOutputName(string column, AutoencoderScoringOptions columns) =>
        column == columns.FeatureColumnName ? RenamedOutputPrefix + column : column;

    /// <summary>Prefix of the graph outputs that <see cref="GraphOutputName"/> renamed.</summary>
    public const string RenamedOutputPrefix = InternalPrefix + "output/";

    /// <summary>The graph outputs ML.NET reads, each a [k] vector: the requested optional outputs and the score as a 1-vector.</summary>
    public static IEnumerable<(string Output, string Column)> VectorOutputs(AutoencoderScoringOptions columns)
    {
        var vectors = columns.OutputColumns().Where(o => o.Output is not (OnnxNames.Score or OnnxNames.PredictedLabel));
        return columns.ScoreColumnName is null ? vectors : vectors.Append((OnnxNames.Score, ScoreVectorColumn));
    }

    public static byte[] Create(AutoencoderOnnxModel model, AutoencoderScoringOptions columns)
    {
        var proto = model.Proto.Clone();
        var graph = proto.Graph;
        string Rename(string name) => name.Length == 0 ? name : InternalPrefix + name;
        RenameAll(graph, Rename);
        var originalOutputs = graph.Output.ToDictionary(o => o.Name);
        graph.Input.Clear();
        graph.Output.Clear();
        graph.ValueInfo.Clear();

        var g = new OnnxGraphBuilder(graph);
        graph.Input.Add(TensorInfo(columns.FeatureColumnName, DataType.Float, 1L, (long)model.InputSize));
        g.Node("Identity", [columns.FeatureColumnName], Rename(model.InputName));
        var identity = graph.Node[^1]; // nodes must stay topologically sorted: the input's Identity goes first
        graph.Node.RemoveAt(graph.Node.Count - 1);
        graph.Node.Insert(0, identity);
        proto.MetadataProps.Add(new StringStringEntryProto { Key = ColumnsKey, Value = ScoringColumns.From(columns).ToJson() });
        foreach (var (output, column) in VectorOutputs(columns))
        {
            if (!originalOutputs.TryGetValue(output, out var info))
                throw new InvalidOperationException($"The model has no '{output}' output, so column '{column}' cannot be produced." +
                    (output == OnnxNames.ScoreFunction ? " The score function needs a denoiser trained with unclipped Gaussian noise as its only corruption." : ""));
            var dims = info.Type.TensorType.Shape.Dim;
            long width = dims.Count == 1 ? 1 : dims[1].DimValue;
            string shape = g.Initializer(g.UniqueName(ShapePrefix), [width], 1);
            string name = GraphOutputName(column, columns);
            g.Node("Reshape", [Rename(output), shape], name);
            graph.Output.Add(TensorInfo(name, (DataType)info.Type.TensorType.ElemType, width));
        }
        return proto.ToByteArray();
    }

    /// <summary>
    /// Recovers the exported batch model from a one-row graph made by <see cref="Create"/>, byte for byte, with the
    /// columns it was made for; returns null for an ONNX model that is not such a graph.
    /// </summary>
    public static (AutoencoderOnnxModel Model, ScoringColumns Columns)? TryRestore(ModelProto row)
    {
        var entry = row.MetadataProps.FirstOrDefault(p => p.Key == ColumnsKey);
        var graph = row.Graph;
        if (entry is null || graph is null || graph.Node.Count == 0 || graph.Node[0].OpType != "Identity")
            return null;
        var proto = row.Clone();
        graph = proto.Graph;
        proto.MetadataProps.Remove(proto.MetadataProps.First(p => p.Key == ColumnsKey));
        string Unprefix(string name) => name.StartsWith(InternalPrefix, StringComparison.Ordinal) ? name[InternalPrefix.Length..] : name;

        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        string input = Unprefix(graph.Node[0].Output[0]);
        graph.Node.RemoveAt(0);
        foreach (var reshape in graph.Node.Where(n => n.OpType == "Reshape" && outputs.Contains(n.Output[0])).ToList())
            graph.Node.Remove(reshape);
        foreach (var shape in graph.Initializer.Where(i => i.Name.StartsWith(ShapePrefix, StringComparison.Ordinal)).ToList())
            graph.Initializer.Remove(shape);
        RenameAll(graph, Unprefix);

        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        int inputSize = int.Parse(metadata[OnnxNames.InputSizeKey], System.Globalization.CultureInfo.InvariantCulture);
        int latentSize = int.Parse(metadata[OnnxNames.LatentSizeKey], System.Globalization.CultureInfo.InvariantCulture);
        graph.Input.Clear();
        graph.Output.Clear();
        AutoencoderOnnxExporter.DeclareInput(graph, input, inputSize);
        AutoencoderOnnxExporter.DeclareOutputs(graph, inputSize, latentSize, metadata.ContainsKey(OnnxNames.ScoreFunctionSigmaKey));
        return (new AutoencoderOnnxModel(proto, "the saved scoring graph"), ScoringColumns.FromJson(entry.Value));
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
