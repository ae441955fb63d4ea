using Autoencoders.Training.Onnx.Proto;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Autoencoders.Training.Onnx;

/// <summary>Appends nodes, initializers and typed inputs/outputs to an ONNX graph with unique generated names.</summary>
internal sealed class OnnxGraphBuilder(GraphProto graph)
{
    private int _counter;

    /// <summary>The graph's initializers by name, so that a weight added twice (a second copy of a layer) is stored once.</summary>
    private readonly Dictionary<string, TensorProto> _initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public GraphProto Graph { get; } = graph;

    // The names the graph had when this builder took it over (a builder may add to an exported graph, e.g. the Probability nodes).
    private readonly HashSet<string> _taken = [.. graph.Node.SelectMany(n => n.Output.Append(n.Name)), .. graph.Input.Select(i => i.Name), .. graph.Initializer.Select(i => i.Name)];

    /// <summary>A name not used yet, made from <paramref name="stem"/>.</summary>
    public string UniqueName(string stem)
    {
        string name;
        do
            name = $"{stem}_{_counter++}";
        while (_taken.Contains(name));
        return name;
    }

    /// <summary>Adds a float initializer and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims) =>
        Initializer(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), dims);

    /// <summary>Adds an int64 initializer and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<long> values, params long[] dims) =>
        Initializer(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values), dims);

    private string Initializer(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> littleEndianBytes, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(littleEndianBytes) };
        tensor.Dims.AddRange(dims);
        if (_initializers.TryGetValue(name, out var existing))
        {
            // The same weights again (another copy of a layer reads them): one initializer serves both.
            if (existing.DataType == tensor.DataType && existing.Dims.SequenceEqual(tensor.Dims) && existing.RawData.Equals(tensor.RawData))
                return name;
            throw new InvalidOperationException($"Two different initializers would be named '{name}'.");
        }
        _initializers.Add(name, tensor);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node of <paramref name="opType"/>; its single output gets <paramref name="output"/> or a generated name, which is returned.</summary>
    public string Node(string opType, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        output ??= UniqueName(opType.ToLowerInvariant());
        var node = new NodeProto { OpType = opType, Name = UniqueName("node_" + opType) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds a node with several outputs, named <paramref name="outputs"/>.</summary>
    public void MultiOutputNode(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName("node_" + opType) };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
    }

    public static AttributeProto Attribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attribute(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attribute(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A tensor type; a dimension is a <see cref="long"/> (fixed) or a <see cref="string"/> (symbolic).</summary>
    public static ValueInfoProto TensorInfo(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                                               : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim) });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
