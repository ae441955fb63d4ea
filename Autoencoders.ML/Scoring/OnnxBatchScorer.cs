using Autoencoders.Training.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// Runs the exported (dynamic-batch) graph on whole batches of rows with ONNX Runtime. One session serves every
/// cursor (ONNX Runtime sessions are thread-safe); each cursor owns a <see cref="Batch"/> with its own buffers.
/// </summary>
internal sealed class OnnxBatchScorer : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxBatchScorer(AutoencoderOnnxModel model, int? gpuDeviceId)
    {
        Model = model;
        using var options = gpuDeviceId is int gpu ? SessionOptions.MakeSessionOptionWithCudaProvider(gpu) : new SessionOptions();
        _session = new InferenceSession(model.ToBytes(), options);
    }

    public AutoencoderOnnxModel Model { get; }

    /// <summary>Creates buffers for up to <paramref name="capacity"/> rows producing <paramref name="outputs"/> (graph output names).</summary>
    public Batch CreateBatch(int capacity, IReadOnlyList<string> outputs) => new(this, capacity, outputs);

    public void Dispose() => _session.Dispose();

    /// <summary>Input and output buffers for one batch, reused for every batch of a cursor: no allocation per row.</summary>
    internal sealed class Batch : IDisposable
    {
        private readonly OnnxBatchScorer _scorer;
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
            _widths = _outputNames.Select(name => name switch
            {
                OnnxNames.Score => 1,
                OnnxNames.Latent => scorer.Model.LatentSize,
                _ => InputSize,
            }).ToArray();
            Input = new float[capacity * InputSize];
            Outputs = _widths.Select(width => new float[capacity * width]).ToArray();
        }

        public int Capacity { get; }
        public int InputSize { get; }

        /// <summary>Row-major input rows; fill the first <c>rows × InputSize</c> values before <see cref="Run"/>.</summary>
        public float[] Input { get; }

        /// <summary>Outputs in the order asked for, row-major.</summary>
        public float[][] Outputs { get; }

        /// <summary>Width of output <paramref name="index"/> per row.</summary>
        public int Width(int index) => _widths[index];

        /// <summary>Scores the first <paramref name="rows"/> rows of <see cref="Input"/> into <see cref="Outputs"/>.</summary>
        public void Run(int rows)
        {
            if (rows != _boundRows)
                Bind(rows);
            _scorer._session.Run(null, _inputNames, _inputValues!, _outputNames, _outputValues!);
        }

        // Binds ONNX Runtime tensors to the managed buffers; only a batch of a new size (the last one) rebinds.
        private void Bind(int rows)
        {
            DisposeValues();
            _inputValues = [OrtValue.CreateTensorValueFromMemory(Microsoft.ML.OnnxRuntime.OrtMemoryInfo.DefaultInstance, Input.AsMemory(0, rows * InputSize), [rows, InputSize])];
            _outputValues = Outputs.Select((buffer, i) => OrtValue.CreateTensorValueFromMemory(Microsoft.ML.OnnxRuntime.OrtMemoryInfo.DefaultInstance,
                buffer.AsMemory(0, rows * _widths[i]), _outputNames[i] == OnnxNames.Score ? [(long)rows] : [rows, (long)_widths[i]])).ToArray();
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
