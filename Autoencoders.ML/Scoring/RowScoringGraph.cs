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

    /// <summary>The one-element vector column the graph writes the score to; <see cref="ScoreColumn"/> turns it into a scalar.</summary>
    public const string ScoreVectorColumn = InternalPrefix + "ScoreVector";

    /// <summary>The graph outputs ML.NET reads, each a [k] vector: the requested optional outputs and the score as a 1-vector.</summary>
    public static IEnumerable<(string Output, string Column)> VectorOutputs(AutoencoderScoringOptions columns) =>
        columns.OutputColumns().Where(o => o.Output is not (OnnxNames.Score or OnnxNames.PredictedLabel))
            .Append((OnnxNames.Score, ScoreVectorColumn));

    public static byte[] Create(AutoencoderOnnxModel model, AutoencoderScoringOptions columns)
    {
        var proto = model.Proto.Clone();
        var graph = proto.Graph;
        string Rename(string name) => name.Length == 0 ? name : InternalPrefix + name;
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
                node.Input[i] = Rename(node.Input[i]);
            for (int i = 0; i < node.Output.Count; i++)
                node.Output[i] = Rename(node.Output[i]);
            node.Name = Rename(node.Name);
        }
        foreach (var initializer in graph.Initializer)
            initializer.Name = Rename(initializer.Name);
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
        foreach (var (output, column) in VectorOutputs(columns))
        {
            if (!originalOutputs.TryGetValue(output, out var info))
                throw new InvalidOperationException($"The model has no '{output}' output, so column '{column}' cannot be produced.");
            var dims = info.Type.TensorType.Shape.Dim;
            long width = dims.Count == 1 ? 1 : dims[1].DimValue;
            string shape = g.Initializer(g.UniqueName(InternalPrefix + "row_shape"), [width], 1);
            g.Node("Reshape", [Rename(output), shape], column);
            graph.Output.Add(TensorInfo(column, (DataType)info.Type.TensorType.ElemType, width));
        }
        return proto.ToByteArray();
    }
}
