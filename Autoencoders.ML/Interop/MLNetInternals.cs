using System.Buffers.Binary;
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace Autoencoders.ML.Interop;

/// <summary>
/// Every reliance of this library on ML.NET's non-public surface, in one place. ML.NET keeps these members internal
/// (for its own assemblies), and a third-party stage needs them to behave like ML.NET's own: the environment behind a
/// catalog (its log, seed, cancellation, GPU and temporary-folder settings), <see cref="SchemaShape"/> construction,
/// the anomaly scorer that the saved form uses, and the layout of saved model files.
/// </summary>
/// <remarks>
/// Each member is looked up once, on first use, and a missing one fails with a <see cref="NotSupportedException"/>
/// that names it and the supported version, instead of a <see cref="NullReferenceException"/> later. <see cref="Verify"/>
/// exercises every one of them (a test calls it), so an ML.NET upgrade that moves one fails that test first.
/// </remarks>
internal static partial class MLNetInternals
{
    /// <summary>The ML.NET versions these members were checked against (the package tests build consumers against both).</summary>
    public const string SupportedVersion = "Microsoft.ML 5.0.x and 6.0.x";

    private const BindingFlags Members = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    private static NotSupportedException Missing(string what) =>
        new($"{what} was not found in Microsoft.ML {typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}; Autoencoders.ML supports {SupportedVersion}.");

    // ---- The environment behind a catalog -------------------------------------------------------------------------

    /// <summary>
    /// The <see cref="IHostEnvironment"/> behind an ML.NET catalog (<c>mlContext.Transforms</c>, <c>mlContext.Model</c>,
    /// <c>mlContext.AnomalyDetection.Trainers</c>, …): stages log to its channel (<c>MLContext.Log</c>), draw seeds from
    /// its random source and honour its cancellation. Catalogs keep it in an internal member; the nested trainer catalogs
    /// reach it through their owning catalog.
    /// </summary>
    public static IHostEnvironment EnvironmentOf(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return FindEnvironment(catalog, depth: 0) ?? throw Missing($"The environment behind {catalog.GetType().FullName}");
    }

    private static IHostEnvironment? FindEnvironment(object catalog, int depth)
    {
        var values = new List<object>();
        for (var type = catalog.GetType(); type is not null; type = type.BaseType)
        {
            values.AddRange(type.GetProperties(Members).Where(p => p.GetIndexParameters().Length == 0 && p.PropertyType.IsClass)
                .Select(p => p.GetValue(catalog)).OfType<object>());
            values.AddRange(type.GetFields(Members).Select(f => f.GetValue(catalog)).OfType<object>());
        }
        if (values.OfType<IHostEnvironment>().FirstOrDefault() is { } environment)
            return environment;
        if (depth > 0)
            return null;
        return values.Where(v => v.GetType().Namespace == "Microsoft.ML").Select(v => FindEnvironment(v, depth + 1)).FirstOrDefault(e => e is not null);
    }

    /// <summary>
    /// Whether the environment was cancelled (<c>MLContext.CancelExecution</c>, internal in ML.NET 5). ML.NET's own
    /// trainers check the same flag (<c>Host.CheckAlive()</c>); environments and hosts expose it as a public property
    /// of an internal type, read here by reflection.
    /// </summary>
    public static bool IsCanceled(IHostEnvironment environment) => (bool)Property(environment, "IsCanceled").GetValue(environment)!;

    /// <summary>The context-wide GPU for ONNX Runtime (<c>MLContext.GpuDeviceId</c>), which ML.NET's ONNX stages use when given none.</summary>
    public static int? GpuDeviceId(IHostEnvironment environment) => (int?)Property(environment, "GpuDeviceId").GetValue(environment);

    /// <summary>Whether a context-wide GPU that cannot be used falls back to CPU (<c>MLContext.FallbackToCpu</c>).</summary>
    public static bool FallbackToCpu(IHostEnvironment environment) => (bool)Property(environment, "FallbackToCpu").GetValue(environment)!;

    /// <summary>
    /// Clears the context-wide GPU until disposed (then restores it), so that ML.NET's own ONNX stages created meanwhile —
    /// by loading a saved model — run on CPU: their hosts copy the setting when they are registered.
    /// </summary>
    public static IDisposable WithoutGpu(IHostEnvironment environment)
    {
        var property = Property(environment, "GpuDeviceId");
        var saved = property.GetValue(environment);
        property.SetValue(environment, null);
        return new Restore(() => property.SetValue(environment, saved));
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>The folder ML.NET writes temporary files to (<c>MLContext.TempFilePath</c>; the system's temporary folder by default).</summary>
    public static string TempFilePath(IHostEnvironment environment) =>
        Property(environment, "TempFilePath").GetValue(environment) as string is { Length: > 0 } path ? path : Path.GetTempPath();

    private static readonly Dictionary<(Type, string), PropertyInfo> Properties = [];

    // A public property of the environment's internal class, or an explicit implementation of IHostEnvironmentInternal.
    private static PropertyInfo Property(IHostEnvironment environment, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var type = environment.GetType();
        lock (Properties)
        {
            if (Properties.TryGetValue((type, name), out var found))
                return found;
            found = type.GetProperty(name, Members)
                    ?? type.GetInterfaces().Where(i => i.Name == "IHostEnvironmentInternal").Select(i => i.GetProperty(name)).FirstOrDefault(p => p is not null)
                    ?? throw Missing($"{type.Name}.{name}");
            Properties[(type, name)] = found;
            return found;
        }
    }

    // ---- Schema shapes -----------------------------------------------------------------------------------------------

    private static readonly Lazy<Func<DataViewSchema, SchemaShape>> CreateShape = new(() =>
        typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, [typeof(DataViewSchema)])
            ?.CreateDelegate<Func<DataViewSchema, SchemaShape>>() ?? throw Missing("SchemaShape.Create(DataViewSchema)"));

    /// <summary>
    /// The <see cref="SchemaShape"/> of a schema: how ML.NET's own estimators describe their outputs
    /// (<c>SchemaShape.Column</c>'s constructor and <c>SchemaShape.Create</c> are internal).
    /// </summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => CreateShape.Value(schema);

    // ---- The anomaly scorer of the saved form ------------------------------------------------------------------------

    /// <summary>
    /// ML.NET's anomaly-detection scorer over a one-element vector column: <c>Score</c> = the element (a linear model with
    /// weight 1 and bias 0, exact in float arithmetic) and <c>PredictedLabel</c> = Score &gt; <paramref name="threshold"/>,
    /// the threshold kept as a binary float. It is what <c>RandomizedPca</c>'s model is, so a saved model reloads with
    /// ML.NET alone; both constructors are internal. <paramref name="scoreColumn"/> is the column the threshold applies to: the scorer's <c>Score</c>.
    /// </summary>
    public static ITransformer AnomalyScorer(IHostEnvironment environment, DataViewSchema input, string scoreVectorColumn, float threshold, string scoreColumn)
    {
        var weights = new VBuffer<float>(1, [1f]);
        var model = Construct(typeof(LinearBinaryModelParameters), environment, weights, 0f, null);
        return (ITransformer)Construct(typeof(AnomalyPredictionTransformer<LinearBinaryModelParameters>),
            environment, model, input, scoreVectorColumn, threshold, scoreColumn);
    }

    /// <summary>
    /// ML.NET's regression scorer over a one-element vector column with weight 1 and bias 0: a scalar <c>Score</c> column
    /// equal to the element, exactly (0 + 1·x = x in float arithmetic). ML.NET 5's ONNX transformer cannot output scalars
    /// and no public transform turns a 1-vector into a scalar; both constructors are internal.
    /// </summary>
    public static ITransformer VectorToScalar(IHostEnvironment environment, DataViewSchema input, string vectorColumn)
    {
        var weights = new VBuffer<float>(1, [1f]);
        var model = Construct(typeof(LinearRegressionModelParameters), environment, weights, 0f);
        return (ITransformer)Construct(typeof(RegressionPredictionTransformer<LinearRegressionModelParameters>), environment, model, input, vectorColumn);
    }

    /// <summary>Invokes the constructor whose parameters take <paramref name="arguments"/> (a null argument fits any reference type).</summary>
    private static object Construct(Type type, params object?[] arguments)
    {
        static bool Fits(ParameterInfo parameter, object? argument)
        {
            var type = parameter.ParameterType.IsByRef ? parameter.ParameterType.GetElementType()! : parameter.ParameterType;
            return argument is null ? !type.IsValueType : type.IsInstanceOfType(argument);
        }
        var constructor = type.GetConstructors(Members).FirstOrDefault(c =>
            c.GetParameters().Length == arguments.Length && c.GetParameters().Zip(arguments).All(p => Fits(p.First, p.Second)))
            ?? throw Missing($"The constructor {type.Name}({string.Join(", ", arguments.Select(a => a?.GetType().Name ?? "null"))})");
        return constructor.Invoke(arguments);
    }

    // ---- The layout of saved model files -----------------------------------------------------------------------------

    /// <summary>An ONNX model stored inside a saved ML.NET model, and where its transformer sits in the saved chain.</summary>
    /// <param name="Entry">The zip entry's full name.</param>
    /// <param name="Path">Indices of the transformer in the nested chains, outermost first.</param>
    /// <param name="Bytes">The ONNX model.</param>
    public sealed record SavedOnnxModel(string Entry, int[] Path, byte[] Bytes);

    // ML.NET's repository stores each transformer of a chain under ".../Transform_NNN/"; the ONNX transformer writes its
    // model as the entry "OnnxModel": a 4-byte little-endian length, then the bytes.
    private const string OnnxEntry = "OnnxModel";

    /// <summary>Every ONNX model inside a model file written by <c>mlContext.Model.Save</c>.</summary>
    /// <exception cref="InvalidDataException">The file is not a zip, or an ONNX entry is not length-prefixed.</exception>
    public static IEnumerable<SavedOnnxModel> OnnxModelsIn(Stream zip)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        foreach (var entry in archive.Entries.Where(e => e.Name == OnnxEntry).ToList())
        {
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            var data = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
            if (data.Length < 4 || BinaryPrimitives.ReadInt32LittleEndian(data) != data.Length - 4)
                throw new InvalidDataException($"The saved model's entry '{entry.FullName}' is not a length-prefixed ONNX model.");
            var path = TransformIndex().Matches(entry.FullName).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            yield return new SavedOnnxModel(entry.FullName, path, data[4..].ToArray());
        }
    }

    /// <summary>
    /// Checks every entry of a saved model against the CRC-32 its zip header records: ML.NET reads entries without checking,
    /// so a damaged file could otherwise load with damaged weights and score wrongly, silently.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a zip, or an entry's content does not match its checksum.</exception>
    public static void VerifyChecksums(Stream zip)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        foreach (var entry in archive.Entries)
        {
            using var stream = entry.Open();
            uint crc = Crc32.Of(stream);
            if (crc != entry.Crc32)
                throw new InvalidDataException($"The model file is damaged: its entry '{entry.FullName}' does not match its checksum.");
        }
    }

    /// <summary>The zip format's CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320).</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
        {
            uint c = (uint)n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            return c;
        }).ToArray();

        public static uint Of(Stream stream)
        {
            uint crc = 0xFFFFFFFFu;
            var buffer = new byte[81920];
            for (int read; (read = stream.Read(buffer)) > 0;)
                foreach (byte b in buffer.AsSpan(0, read))
                    crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }
    }

    [GeneratedRegex(@"Transform_(\d+)/")]
    private static partial Regex TransformIndex();

    // ---- Checking all of them ----------------------------------------------------------------------------------------

    /// <summary>Exercises every member above against <paramref name="context"/>, so a test fails first when ML.NET moves one.</summary>
    public static void Verify(MLContext context)
    {
        var environment = EnvironmentOf(context.Transforms);
        _ = EnvironmentOf(context.AnomalyDetection.Trainers);
        _ = EnvironmentOf(context.Model);
        _ = IsCanceled(environment);
        _ = GpuDeviceId(environment);
        _ = FallbackToCpu(environment);
        WithoutGpu(environment).Dispose();
        _ = TempFilePath(environment);
        var schema = new DataViewSchema.Builder();
        schema.AddColumn("v", new VectorDataViewType(NumberDataViewType.Single, 1));
        var built = schema.ToSchema();
        _ = ShapeOf(built);
        _ = AnomalyScorer(environment, built, "v", 0.5f, "Score");
        _ = VectorToScalar(environment, built, "v");
    }
}
