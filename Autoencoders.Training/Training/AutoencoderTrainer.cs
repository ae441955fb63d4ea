using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Training;

/// <summary>Trains a dense autoencoder on standardized features with Adam, minibatches, optional validation and early stopping.</summary>
public sealed class AutoencoderTrainer
{
    // Weight initialization and dropout draw from TorchSharp's global generator; one training at a time keeps seeds reproducible.
    private static readonly object GlobalTorchState = new();
    private readonly TrainerOptions _options;

    /// <summary>Creates a trainer; <paramref name="options"/> is checked now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AutoencoderTrainer(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Trains on <paramref name="data"/> (rows × features, original scale).</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has no rows.</exception>
    /// <exception cref="InvalidDataException">A value is NaN or infinite (the message names its row and feature).</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public TrainedAutoencoder Fit(FeatureMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rows == 0)
            throw new ArgumentException("The training data has no rows.", nameof(data));
        data.EnsureFinite("the training data");
        var architecture = _options.Architecture.Resolve(data.Columns);
        if (architecture.LatentSize >= data.Columns)
            _options.Log?.Invoke($"The latent size {architecture.LatentSize} is not smaller than the {data.Columns} input features: " +
                                 "without corruption or regularization the autoencoder can learn the identity and its scores carry little signal.");
        if (architecture.UseBatchNormalization && data.Rows < 2)
            throw new ArgumentException("Batch normalization needs at least two training rows.", nameof(data));

        var standardizer = Standardizer.Fit(data);
        var standardized = standardizer.Transform(data);
        TorchNativeLibrary.EnsureLoaded();
        lock (GlobalTorchState)
        {
            if (_options.Threads is int threads)
                torch.set_num_threads(threads);
            var device = TrainingDevice.Resolve(_options.Device, _options.FallbackToCpu, _options.Log);
            torch.manual_seed(_options.Seed);
            var model = new DenseAutoencoder(data.Columns, architecture);
            try
            {
                var run = Train(model, standardized, device, cancellationToken);
                model.to(torch.CPU);
                model.eval();
                return new TrainedAutoencoder(model, standardizer, run.History, run.BestEpoch, run.StoppedEarly, _options);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
    }

    private sealed record Run(List<EpochMetrics> History, int BestEpoch, bool StoppedEarly);

    private Run Train(DenseAutoencoder model, FeatureMatrix data, Device device, CancellationToken cancellationToken)
    {
        var random = new Random(_options.Seed);
        int[] order = Enumerable.Range(0, data.Rows).ToArray();
        int validationRows = 0;
        if (_options.ValidationFraction > 0 && data.Rows >= 2)
        {
            random.Shuffle(order);
            validationRows = Math.Clamp((int)Math.Round(data.Rows * _options.ValidationFraction), 1, data.Rows - 1);
        }
        bool batchNorm = model.Architecture.UseBatchNormalization;

        model.to(device);
        using var all = torch.tensor(data.Values, [data.Rows, data.Columns], device: device);
        using var training = Rows(all, order[validationRows..], device);
        using var validation = validationRows > 0 ? Rows(all, order[..validationRows], device) : null;
        using var optimizer = new InPlaceAdam(model.parameters(), _options.LearningRate, _options.WeightDecay);

        var history = new List<EpochMetrics>();
        long trainingRows = training.shape[0];
        long[] permutation = Enumerable.Range(0, (int)trainingRows).Select(i => (long)i).ToArray();
        double best = double.PositiveInfinity;
        int bestEpoch = 0;
        Dictionary<string, Tensor>? bestState = null;
        bool stoppedEarly = false;
        try
        {
            for (int epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                model.train();
                if (_options.Shuffle)
                    random.Shuffle(permutation);
                double lossSum = 0;
                long seen = 0;
                int batch = 0;
                for (long start = 0; start < trainingRows; start += _options.BatchSize)
                {
                    long end = Math.Min(start + _options.BatchSize, trainingRows);
                    batch++;
                    if (batchNorm && end - start < 2)
                        continue; // batch statistics need two rows; like PyTorch's drop_last for a lone trailing row
                    using var scope = torch.NewDisposeScope();
                    using var indices = torch.tensor(permutation[(int)start..(int)end], device: device);
                    var x = training.index_select(0, indices);
                    optimizer.ZeroGrad();
                    var loss = Loss(model.call(x), x);
                    double value = loss.item<float>();
                    if (!double.IsFinite(value))
                        throw new TrainingDivergedException(epoch, batch, value, _options.LearningRate);
                    loss.backward();
                    optimizer.Step();
                    lossSum += value * (end - start);
                    seen += end - start;
                }

                double? validationLoss = validation is null ? null : Evaluate(model, validation);
                if (validationLoss is double v && !double.IsFinite(v))
                    throw new TrainingDivergedException(epoch, 0, v, _options.LearningRate);
                var metrics = new EpochMetrics(epoch, lossSum / Math.Max(seen, 1), validationLoss);
                history.Add(metrics);
                _options.Progress?.Invoke(metrics);

                if (validationLoss is double current)
                {
                    if (current < best)
                    {
                        best = current;
                        bestEpoch = epoch;
                        DisposeAll(bestState);
                        bestState = Snapshot(model);
                    }
                    else if (_options.EarlyStoppingPatience > 0 && epoch - bestEpoch >= _options.EarlyStoppingPatience)
                    {
                        stoppedEarly = epoch < _options.Epochs;
                        break;
                    }
                }
            }
            if (bestState is not null)
                model.load_state_dict(bestState);
            return new Run(history, bestState is null ? history.Count : bestEpoch, stoppedEarly);
        }
        finally
        {
            DisposeAll(bestState);
        }
    }

    private static Tensor Rows(Tensor all, int[] rows, Device device)
    {
        using var indices = torch.tensor(rows.Select(r => (long)r).ToArray(), device: device);
        return all.index_select(0, indices);
    }

    private double Evaluate(DenseAutoencoder model, Tensor validation)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        return Loss(model.call(validation), validation).item<float>();
    }

    private Tensor Loss(Tensor reconstruction, Tensor target) => _options.Loss switch
    {
        ReconstructionLoss.MeanSquaredError => nn.functional.mse_loss(reconstruction, target),
        ReconstructionLoss.MeanAbsoluteError => nn.functional.l1_loss(reconstruction, target),
        ReconstructionLoss.Huber => nn.functional.huber_loss(reconstruction, target, delta: _options.HuberDelta),
        _ => throw new ArgumentOutOfRangeException(nameof(TrainerOptions.Loss), _options.Loss, "Unknown loss."),
    };

    private static Dictionary<string, Tensor> Snapshot(nn.Module module)
    {
        using var scope = torch.NewDisposeScope(); // disposes the intermediate detach() handles
        return module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    }

    private static void DisposeAll(Dictionary<string, Tensor>? state)
    {
        if (state is null)
            return;
        foreach (var tensor in state.Values)
            tensor.Dispose();
        state.Clear();
    }
}
