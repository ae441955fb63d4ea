using Autoencoders.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>All standardized rows in one tensor; minibatches are index selections of a permutation redrawn every epoch.</summary>
internal sealed class InMemoryBatches : TrainingBatches
{
    private readonly Tensor _training;
    private readonly Tensor? _validation;
    private readonly Tensor? _trainingTarget;   // null: the target is the input
    private readonly Tensor? _validationTarget;
    private readonly long[] _permutation;
    private readonly bool[] _isValidation;
    private readonly int _batchSize;
    private readonly bool _shuffle;
    private readonly Random _random;
    private readonly Device _device;
    private long _next;

    // targets: standardized second observations (Noise2Noise), or null to reconstruct the input.
    public InMemoryBatches(FeatureMatrix standardized, FeatureMatrix? targets, double validationFraction, int batchSize, bool shuffle, Random random, Device device)
    {
        _batchSize = batchSize;
        _shuffle = shuffle;
        _random = random;
        _device = device;
        int[] order = Enumerable.Range(0, standardized.Rows).ToArray();
        int validationRows = 0;
        if (validationFraction > 0 && standardized.Rows >= 2)
        {
            random.Shuffle(order);
            validationRows = Math.Clamp((int)Math.Round(standardized.Rows * validationFraction), 1, standardized.Rows - 1);
        }
        using var all = torch.tensor(standardized.Values, [standardized.Rows, standardized.Columns], device: device);
        _isValidation = new bool[standardized.Rows];
        foreach (int row in order[..validationRows])
            _isValidation[row] = true;
        _training = Rows(all, order[validationRows..]);
        _validation = validationRows > 0 ? Rows(all, order[..validationRows]) : null;
        if (targets is not null)
        {
            using var allTargets = torch.tensor(targets.Values, [targets.Rows, targets.Columns], device: device);
            _trainingTarget = Rows(allTargets, order[validationRows..]);
            _validationTarget = validationRows > 0 ? Rows(allTargets, order[..validationRows]) : null;
        }
        _permutation = Enumerable.Range(0, (int)_training.shape[0]).Select(i => (long)i).ToArray();
    }

    public override long TrainingRows => _permutation.Length;

    public override long ValidationRows => _validation?.shape[0] ?? 0;

    public override bool IsValidationRow(long index) => index >= 0 && index < _isValidation.Length && _isValidation[index];

    public override void StartEpoch()
    {
        if (_shuffle)
            _random.Shuffle(_permutation);
        _next = 0;
    }

    public override (Tensor Input, Tensor Target)? NextBatch()
    {
        if (_next >= _permutation.Length)
            return null;
        long end = Math.Min(_next + _batchSize, _permutation.Length);
        using var indices = torch.tensor(_permutation[(int)_next..(int)end], device: _device);
        _next = end;
        var input = _training.index_select(0, indices);
        return (input, _trainingTarget is null ? input : _trainingTarget.index_select(0, indices));
    }

    public override double ValidationLoss(Func<Tensor, Tensor, Tensor> loss) => loss(_validation!, _validationTarget ?? _validation!).item<float>();

    private Tensor Rows(Tensor all, int[] rows)
    {
        using var indices = torch.tensor(rows.Select(r => (long)r).ToArray(), device: _device);
        return all.index_select(0, indices).DetachFromDisposeScope();
    }

    public override void Dispose()
    {
        _training.Dispose();
        _validation?.Dispose();
        _trainingTarget?.Dispose();
        _validationTarget?.Dispose();
    }
}
