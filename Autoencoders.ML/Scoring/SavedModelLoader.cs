using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Autoencoders.Training.Onnx.Proto;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// Loads a model saved with <c>mlContext.Model.Save</c> and puts every autoencoder stage back as an
/// <see cref="AutoencoderTransformer"/>, so scoring is batched again. The file is the one ML.NET alone can load.
/// </summary>
internal static partial class SavedModelLoader
{
    // ML.NET's repository stores each transformer of a chain under ".../Transform_NNN/"; the ONNX transformer writes
    // its model as "OnnxModel": a 4-byte little-endian length, then the bytes.
    private const string OnnxEntry = "OnnxModel";

    public static ITransformer Load(IHostEnvironment environment, ModelOperationsCatalog catalog, Stream stream,
        out DataViewSchema inputSchema, int? gpuDeviceId, bool fallbackToCpu)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        var model = catalog.Load(buffer, out inputSchema);

        buffer.Position = 0;
        using var archive = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true);
        foreach (var entry in archive.Entries.Where(e => e.Name == OnnxEntry))
        {
            var restored = RowScoringGraph.TryRestore(ReadOnnx(entry));
            if (restored is not { } found)
                continue;
            var options = found.Columns.ToOptions();
            options.GpuDeviceId = gpuDeviceId;
            options.FallbackToCpu = fallbackToCpu;
            var stage = new AutoencoderTransformer(environment, found.Model, options, training: null);
            // The ONNX transformer is the first element of the stage's own chain: the stage is its parent.
            var path = TransformIndex().Matches(entry.FullName).Select(m => int.Parse(m.Groups[1].Value)).ToArray();
            model = Replace(model, path[..^1], stage, entry.FullName);
        }
        return model;
    }

    private static ModelProto ReadOnnx(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        var data = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        if (data.Length < 4 || BinaryPrimitives.ReadInt32LittleEndian(data) != data.Length - 4)
            throw new InvalidDataException($"The saved model's entry '{entry.FullName}' is not a length-prefixed ONNX model.");
        return ModelProto.Parser.ParseFrom(data[4..]);
    }

    private static ITransformer Replace(ITransformer model, ReadOnlySpan<int> path, ITransformer stage, string entry)
    {
        if (path.IsEmpty)
            return stage;
        if (model is not TransformerChain<ITransformer> chain)
            throw new InvalidDataException($"The saved model's layout does not match its entry '{entry}'.");
        var elements = chain.ToArray();
        elements[path[0]] = Replace(elements[path[0]], path[1..], stage, entry);
        return new TransformerChain<ITransformer>(elements);
    }

    [GeneratedRegex(@"Transform_(\d+)/")]
    private static partial Regex TransformIndex();
}
