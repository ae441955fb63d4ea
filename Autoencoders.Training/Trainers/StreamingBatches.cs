using Autoencoders.Training.Native;
using Autoencoders.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// Minibatches streamed from an <see cref="IRowSource"/> every epoch through a <see cref="StreamingShuffle"/>, so the data
/// never has to fit in memory. Validation rows are chosen by a seeded hash of the row index and are streamed too.
/// </summary>
internal sealed class StreamingBatches : TrainingBatches
{
    private readonly IRowSource _source;
    private readonly Standardizer _standardizer;
    private readonly double _validationFraction;
    private readonly ulong _seed;
    private readonly int _batchSize;
    private readonly StreamingShuffle _shuffle;
    private readonly Device _device;
    private readonly float[] _row;
    private readonly Func<Span<float>, bool> _readTrainingRow; // one delegate, not one per row
    private readonly Tensor _batch; // CPU, reused for every minibatch: rows are standardized straight into its memory
    private IRowReader? _reader;
    private long _index;

    public StreamingBatches(IRowSource source, long rows, Standardizer standardizer, double validationFraction, int seed,
        int batchSize, int shuffleBufferRows, bool shuffle, Random random, Device device)
    {
        _source = source;
        _standardizer = standardizer;
        _seed = (ulong)seed;
        _batchSize = batchSize;
        _device = device;
        _row = new float[source.Columns];
        _batch = torch.zeros([batchSize, source.Columns]).DetachFromDisposeScope();
        _readTrainingRow = ReadTrainingRow;
        _shuffle = new StreamingShuffle(shuffle ? shuffleBufferRows : 1, source.Columns, random);
        _validationFraction = validationFraction;
        long validation = 0;
        for (long i = 0; i < rows; i++)
            validation += IsValidation(i) ? 1 : 0;
        if (validation == rows)
        {
            _validationFraction = 0; // too few rows to hold any out
            validation = 0;
        }
        ValidationRows = validation;
        TrainingRows = rows - validation;
    }

    public override long TrainingRows { get; }

    public override long ValidationRows { get; }

    public override void StartEpoch()
    {
        _reader?.Dispose();
        _reader = _source.OpenReader();
        _index = 0;
        _shuffle.Clear();
    }

    public override (Tensor Input, Tensor Target)? NextBatch()
    {
        int rows = 0;
        int d = _row.Length;
        var batch = TensorMemory.Floats(_batch);
        while (rows < _batchSize && _shuffle.TryNext(_readTrainingRow, _row))
            _standardizer.Transform(_row, batch.Slice(rows++ * d, d));
        if (rows == 0)
            return null;
        var input = ToTensor(rows);
        return (input, input);
    }

    public override double ValidationLoss(Func<Tensor, Tensor, Tensor> loss)
    {
        double sum = 0;
        long count = 0;
        int d = _row.Length;
        using var reader = _source.OpenReader();
        long index = 0;
        int rows = 0;
        while (true)
        {
            bool more = reader.TryRead(_row);
            if (more && !IsValidation(index++))
                continue;
            if (more)
                _standardizer.Transform(_row, TensorMemory.Floats(_batch).Slice(rows++ * d, d));
            if (rows == _batchSize || (!more && rows > 0))
            {
                using var scope = torch.NewDisposeScope();
                var batch = ToTensor(rows);
                sum += loss(batch, batch).item<float>() * (double)rows;
                count += rows;
                rows = 0;
            }
            if (!more)
                return sum / count;
        }
    }

    private bool ReadTrainingRow(Span<float> row)
    {
        while (_reader!.TryRead(row))
            if (!IsValidation(_index++))
                return true;
        return false;
    }

    private Tensor ToTensor(int rows)
    {
        var rowsOfBatch = rows == _batchSize ? _batch : _batch.narrow(0, 0, rows);
        return _device.type == DeviceType.CPU ? rowsOfBatch : rowsOfBatch.to(_device);
    }

    public override bool IsValidationRow(long index) => IsValidation(index);

    // SplitMix64 of (seed, row index): a fixed, seeded choice of validation rows that needs no memory.
    private bool IsValidation(long index)
    {
        if (_validationFraction <= 0)
            return false;
        ulong z = _seed * 0x9E3779B97F4A7C15UL + (ulong)index + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53)) < _validationFraction;
    }

    public override void Dispose()
    {
        _reader?.Dispose();
        _batch.Dispose();
    }
}
