using System.Collections.Concurrent;
using Autoencoders.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// Runs the exported (dynamic-batch) graph on whole batches of rows with ONNX Runtime. One session per set of outputs
/// read serves every cursor and prediction engine of a stage (ONNX Runtime sessions are thread-safe): the whole graph
/// for all outputs, and for fewer the graph cut down to what they need (ONNX Runtime would run every node otherwise —
/// the reconstruction, the code, the per-feature errors and the probability when only the score is read). Each cursor
/// or engine owns a <see cref="Batch"/> with its own buffers.
/// </summary>
internal sealed class OnnxBatchScorer : IDisposable
{
    /// <summary>The native ONNX Runtime packages, for messages.</summary>
    public const string NativePackages = "Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu (CUDA)";

    private readonly InferenceSession _session;
    // Sessions of the graph cut down to a set of outputs (key: the sorted names), made when a cursor first reads that set.
    private readonly ConcurrentDictionary<string, Lazy<InferenceSession>> _cut = new();
    private bool _disposed;

    private OnnxBatchScorer(AutoencoderOnnxModel model, InferenceSession session, int? gpuDeviceId)
    {
        Model = model;
        _session = session;
        GpuDeviceId = gpuDeviceId;
    }

    /// <summary>The session that computes <paramref name="outputs"/>: the whole graph's for all of them, else one of the graph cut down to them.</summary>
    private InferenceSession SessionFor(IReadOnlyCollection<string> outputs)
    {
        if (Model.OutputNames.All(outputs.Contains))
            return _session;
        string key = string.Join('\n', outputs.Order(StringComparer.Ordinal));
        return _cut.GetOrAdd(key, _ => new Lazy<InferenceSession>(() => WithNativeCheck(() => NewSession(Model.ToBytes(outputs), GpuDeviceId)))).Value;
    }

    /// <summary>A session of <paramref name="bytes"/> on GPU <paramref name="gpu"/>, or on CPU when null.</summary>
    private static InferenceSession NewSession(byte[] bytes, int? gpu)
    {
        using var options = gpu is int device ? SessionOptions.MakeSessionOptionWithCudaProvider(device) : new SessionOptions();
        return new InferenceSession(bytes, options);
    }

    /// <summary>
    /// Creates the session, on GPU <paramref name="gpuDeviceId"/> when given. Creating a CUDA session fails for many
    /// reasons (a CPU-only ONNX Runtime package, missing CUDA libraries, no device); with <paramref name="fallbackToCpu"/>
    /// any such failure is reported through <paramref name="warn"/> with its reason and the session is created on CPU,
    /// otherwise it is thrown as <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">ONNX Runtime's native library is missing, or the GPU failed without fallback.</exception>
    public static OnnxBatchScorer Create(AutoencoderOnnxModel model, int? gpuDeviceId, bool fallbackToCpu, Action<string> warn)
    {
        byte[] bytes = model.ToBytes();
        return WithNativeCheck(() =>
        {
            if (gpuDeviceId is int gpu)
            {
                try
                {
                    return new OnnxBatchScorer(model, NewSession(bytes, gpu), gpu);
                }
                catch (Exception e) when (IsGpuFailure(e))
                {
                    if (!fallbackToCpu)
                        throw new InvalidOperationException(GpuUnavailable(gpu, e) + " Set FallbackToCpu to score on CPU instead.", e);
                    warn(GpuUnavailable(gpu, e) + " Scoring on CPU.");
                }
            }
            return new OnnxBatchScorer(model, NewSession(bytes, null), null);
        });
    }

    /// <summary>Checks that ONNX Runtime can create its CUDA provider on <paramref name="gpu"/> (the usual failures happen there).</summary>
    /// <exception cref="InvalidOperationException">It cannot, or ONNX Runtime's native library is missing.</exception>
    public static void CheckGpu(int gpu) => WithNativeCheck(() =>
    {
        try
        {
            using var cuda = SessionOptions.MakeSessionOptionWithCudaProvider(gpu);
            return true;
        }
        catch (Exception e) when (IsGpuFailure(e))
        {
            throw new InvalidOperationException(GpuUnavailable(gpu, e) + " Set FallbackToCpu to score on CPU instead; nothing was trained.", e);
        }
    });

    // A CPU-only ONNX Runtime lacks the CUDA entry point; the GPU package without CUDA libraries or a device fails in ONNX Runtime.
    internal static bool IsGpuFailure(Exception e) => e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException;

    // A CPU build of ONNX Runtime has no CUDA entry point at all; the GPU build has it and fails inside ONNX Runtime.
    internal static string GpuUnavailable(int gpu, Exception e) => e is EntryPointNotFoundException or DllNotFoundException
        ? $"GPU scoring on device {gpu} is not available: this application's ONNX Runtime is the CPU-only build. For CUDA, reference " +
          "Microsoft.ML.OnnxRuntime.Gpu (1.31.0) instead of Microsoft.ML.OnnxRuntime (see README, \"Packages\")."
        : $"GPU scoring on device {gpu} is not available: ONNX Runtime's CUDA provider could not start ({FirstLine(e.Message)}). The GPU build " +
          "is referenced, but the CUDA and cuDNN libraries it needs, or an NVIDIA driver and device, are missing on this machine " +
          "(ONNX Runtime's own log line names the library it could not load).";

    private static T WithNativeCheck<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is TypeInitializationException || (e is DllNotFoundException && e.Message.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException(
                $"ONNX Runtime's native library was not found. Add {NativePackages} to the application's project, " +
                "e.g. dotnet add package Microsoft.ML.OnnxRuntime --version 1.31.1.", e);
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    public AutoencoderOnnxModel Model { get; }

    /// <summary>The GPU the session runs on, or null for CPU.</summary>
    public int? GpuDeviceId { get; }

    /// <summary>
    /// For each output column of <paramref name="output"/> (by schema index, after the <paramref name="input"/> columns):
    /// the graph output it shows.
    /// </summary>
    public static Dictionary<int, string> OutputsBySchemaIndex(DataViewSchema input, DataViewSchema output, AutoencoderScoringOptions options)
    {
        var columns = options.OutputColumns().ToDictionary(o => o.Column, o => o.Output);
        return Enumerable.Range(input.Count, output.Count - input.Count).ToDictionary(i => i, i => columns[output[i].Name]);
    }

    /// <summary>Creates buffers for up to <paramref name="capacity"/> rows producing <paramref name="outputs"/> (graph output names).</summary>
    public Batch CreateBatch(int capacity, IReadOnlyList<string> outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new(this, capacity, outputs);
    }

    public void Dispose()
    {
        _disposed = true;
        _session.Dispose();
        foreach (var cut in _cut.Values.Where(c => c.IsValueCreated))
            cut.Value.Dispose();
    }

    /// <summary>Input and output buffers for one batch, reused for every batch of a cursor: no allocation per row.</summary>
    internal sealed class Batch : IDisposable
    {
        private readonly OnnxBatchScorer _scorer;
        private readonly InferenceSession _session;
        private readonly string[] _outputNames;
        private readonly int[] _widths;
        private readonly string[] _inputNames;
        private OrtValue[]? _inputValues;
        private OrtValue[]? _outputValues;
        private int _boundRows = -1;

        public Batch(OnnxBatchScorer scorer, int capacity, IReadOnlyList<string> outputs)
        {
            _scorer = scorer;
            Capacity = capacity;
            InputSize = scorer.Model.InputSize;
            _inputNames = [scorer.Model.InputName];
            _outputNames = [.. outputs];
            _session = scorer.SessionFor(_outputNames);
            _widths = _outputNames.Select(name => name switch
            {
                OnnxNames.Score or OnnxNames.Probability or OnnxNames.PredictedLabel => 1,
                OnnxNames.Latent => scorer.Model.LatentSize,
                _ => InputSize,
            }).ToArray();
            long inputValues = (long)capacity * InputSize;
            if (inputValues > Array.MaxLength || _widths.Any(w => (long)capacity * w > Array.MaxLength))
                throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                    $"A batch of {capacity} rows of {InputSize} features does not fit in one array; lower ScoringBatchSize.");
            Input = new float[inputValues];
            Outputs = _widths.Select(width => new float[capacity * width]).ToArray();
            Labels = _outputNames.Contains(OnnxNames.PredictedLabel) ? new bool[capacity] : [];
        }

        public int Capacity { get; }
        public int InputSize { get; }

        /// <summary>Row-major input rows; fill the first <c>rows × InputSize</c> values before <see cref="Run"/>.</summary>
        public float[] Input { get; }

        /// <summary>Float outputs in the order asked for, row-major (the entry for <see cref="OnnxNames.PredictedLabel"/> is unused).</summary>
        public float[][] Outputs { get; }

        /// <summary>The graph's <see cref="OnnxNames.PredictedLabel"/> per row, when asked for.</summary>
        public bool[] Labels { get; }

        /// <summary>Width of output <paramref name="index"/> per row.</summary>
        public int Width(int index) => _widths[index];

        /// <summary>
        /// A getter of output <paramref name="output"/> (asked for in <see cref="CreateBatch"/>) for the row
        /// <paramref name="row"/>() of the last run, after <paramref name="before"/> (e.g. scoring the row first): a
        /// Single for the score and the probability, a Boolean for the label, a vector of Single otherwise.
        /// </summary>
        public Delegate Getter(string output, Func<int> row, Action? before = null)
        {
            int slot = Array.IndexOf(_outputNames, output);
            if (output == OnnxNames.PredictedLabel)
                return (ValueGetter<bool>)((ref bool value) => { before?.Invoke(); value = Labels[row()]; });
            var buffer = Outputs[slot];
            if (output is OnnxNames.Score or OnnxNames.Probability)
                return (ValueGetter<float>)((ref float value) => { before?.Invoke(); value = buffer[row()]; });
            int width = _widths[slot];
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                before?.Invoke();
                var editor = VBufferEditor.Create(ref value, width);
                buffer.AsSpan(row() * width, width).CopyTo(editor.Values);
                value = editor.Commit();
            });
        }

        /// <summary>Scores the first <paramref name="rows"/> rows of <see cref="Input"/> into <see cref="Outputs"/> and <see cref="Labels"/>.</summary>
        /// <exception cref="ObjectDisposedException">The stage that owns the session was disposed.</exception>
        public void Run(int rows)
        {
            ObjectDisposedException.ThrowIf(_scorer._disposed, typeof(AutoencoderTransformer));
            if (rows != _boundRows)
                Bind(rows);
            _session.Run(null, _inputNames, _inputValues!, _outputNames, _outputValues!);
        }

        // Binds ONNX Runtime tensors to the managed buffers; only a batch of a new size (the last one) rebinds.
        private void Bind(int rows)
        {
            DisposeValues();
            var memory = OrtMemoryInfo.DefaultInstance;
            _inputValues = [OrtValue.CreateTensorValueFromMemory(memory, Input.AsMemory(0, rows * InputSize), [rows, InputSize])];
            _outputValues = _outputNames.Select((name, i) => name switch
            {
                OnnxNames.PredictedLabel => OrtValue.CreateTensorValueFromMemory(memory, Labels.AsMemory(0, rows), [rows]),
                OnnxNames.Score or OnnxNames.Probability => OrtValue.CreateTensorValueFromMemory(memory, Outputs[i].AsMemory(0, rows), [rows]),
                _ => OrtValue.CreateTensorValueFromMemory(memory, Outputs[i].AsMemory(0, rows * _widths[i]), [rows, (long)_widths[i]]),
            }).ToArray();
            _boundRows = rows;
        }

        private void DisposeValues()
        {
            foreach (var value in (_inputValues ?? []).Concat(_outputValues ?? []))
                value.Dispose();
        }

        public void Dispose() => DisposeValues();
    }
}
