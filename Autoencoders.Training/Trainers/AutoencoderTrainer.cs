using System.Diagnostics;
using Autoencoders.Training.Data;
using Autoencoders.Training.Models;
using Autoencoders.Training.Native;
using Autoencoders.Training.Scores;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>Trains a dense or convolutional autoencoder on standardized features with Adam, minibatches, optional validation and early stopping.</summary>
public sealed class AutoencoderTrainer
{
    // Weight initialization and dropout draw from TorchSharp's global generator; one training at a time keeps seeds reproducible.
    private static readonly object GlobalTorchState = new();
    private readonly TrainerOptions _options;

    /// <summary>Creates a trainer; <paramref name="options"/> is checked and copied now (later changes to it do not reach the trainer).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AutoencoderTrainer(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <summary>Trains on <paramref name="data"/> (rows × features, original scale), held in memory.</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has no rows.</exception>
    /// <exception cref="InvalidDataException">A value is NaN or infinite (the message names its row and feature).</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public TrainedAutoencoder Fit(FeatureMatrix data, CancellationToken cancellationToken = default) => Fit(data, null, cancellationToken);

    /// <summary>
    /// Noise2Noise training (Lehtinen et al. 2018): the model sees <paramref name="data"/> and is trained to output
    /// <paramref name="targets"/>, a second, independently noisy observation of the same rows, never the clean signal.
    /// With the mean squared error it learns the mean of the target noise's distribution around the signal, with the
    /// mean absolute error its median. Both are standardized with the input's statistics.
    /// </summary>
    /// <exception cref="ArgumentException">The matrices differ in shape or have no rows.</exception>
    /// <exception cref="InvalidDataException">A value is NaN or infinite.</exception>
    public TrainedAutoencoder Fit(FeatureMatrix data, FeatureMatrix? targets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rows == 0)
            throw new ArgumentException("The training data has no rows.", nameof(data));
        if (targets is not null && (targets.Rows != data.Rows || targets.Columns != data.Columns))
            throw new ArgumentException($"The targets are {targets.Rows} × {targets.Columns}; the inputs {data.Rows} × {data.Columns}.", nameof(targets));
        data.EnsureFinite("the training data");
        targets?.EnsureFinite("the training targets");
        var standardizer = FitStandardizer(data, out _);
        var standardized = standardizer.Transform(data);
        var standardizedTargets = targets is null ? null : standardizer.Transform(targets);
        return Train(data.Columns, data.Rows, standardizer, (random, device) => new InMemoryBatches(standardized, standardizedTargets,
            _options.ValidationFraction, _options.BatchSize, _options.Shuffle, random, device), () => (standardized, null), cancellationToken, noise2Noise: targets is not null);
    }

    /// <summary>
    /// Trains on the rows of <paramref name="source"/> (original scale). With <see cref="TrainerOptions.ShuffleBufferRows"/>
    /// unset they are read into memory once; with it set they are streamed from the source every epoch, so the data
    /// need not fit in memory (one pass for the standardization statistics, then one per epoch, plus one per epoch for validation).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> has no rows.</exception>
    /// <exception cref="InvalidDataException">A value is NaN or infinite (the message names its row and feature).</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public TrainedAutoencoder Fit(IRowSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source is FeatureMatrix matrix)
            return Fit(matrix, cancellationToken);
        if (_options.ShuffleBufferRows is not int bufferRows)
            return Fit(FeatureMatrix.Read(source), cancellationToken);

        var checkedSource = new FiniteRowSource(source, "the training data");
        long rows;
        Standardizer standardizer;
        try
        {
            standardizer = FitStandardizer(checkedSource, out rows);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException("The training data has no rows.", nameof(source));
        }
        return Train(source.Columns, rows, standardizer, (random, device) => new StreamingBatches(checkedSource, rows, standardizer,
            _options.ValidationFraction, _options.Seed, _options.BatchSize, bufferRows, _options.Shuffle, random, device),
            () => ReferenceSample(checkedSource, standardizer), cancellationToken, noise2Noise: false);
    }

    /// <summary>Checks the image shape against the rows, then fits per-feature statistics, pooled per channel when <see cref="TrainerOptions.Standardization"/> says so.</summary>
    private Standardizer FitStandardizer(IRowSource data, out long rows)
    {
        _options.ImageShape?.Check(data.Columns);
        var standardizer = Standardizer.Fit(data, out rows);
        bool perChannel = _options.Standardization switch
        {
            Standardization.PerChannel => true,
            Standardization.PerFeature => false,
            // Automatic: per channel for convolutions, and for images compared by the nearest-neighbour score, whose
            // distances then weigh every pixel alike (higher on all three image sets' validation protocols, see README).
            _ => _options.Convolutional is not null || (_options.ImageShape is not null && _options.ScoreKind == ScoreKind.NearestNeighbors),
        };
        return perChannel ? standardizer.PoolChannels(_options.ImageShape!) : standardizer;
    }

    /// <summary>
    /// Up to as many standardized rows of a streamed source as the nearest-neighbour score uses (the rows it stores, or
    /// <see cref="NeighborScore.PrototypeSampleRows"/> to make prototypes of), a uniform sample drawn in one pass (reservoir
    /// sampling, seeded), with each row's index in the source.
    /// </summary>
    private (FeatureMatrix Rows, long[] Indices) ReferenceSample(IRowSource source, Standardizer standardizer)
    {
        var neighbors = _options.Neighbors;
        int d = source.Columns, capacity = neighbors.Reference == NeighborReference.Prototypes ? NeighborScore.PrototypeSampleRows
            : neighbors.ReferenceSize > 0 ? neighbors.ReferenceSize : NeighborScoreOptions.Defaults.AutomaticReferenceSize(neighbors.Reference, d, images: false);
        var random = new Random(_options.Seed ^ 0x2EF5);
        var sample = new List<float[]>();
        var indices = new List<long>();
        var row = new float[d];
        long seen = 0;
        using var reader = source.OpenReader();
        while (reader.TryRead(row))
        {
            long slot = seen < capacity ? seen : random.NextInt64(seen + 1);
            seen++;
            if (slot >= capacity)
                continue;
            var standardized = new float[d];
            standardizer.Transform(row, standardized);
            if (slot == sample.Count)
            {
                sample.Add(standardized);
                indices.Add(seen - 1);
            }
            else
            {
                sample[(int)slot] = standardized;
                indices[(int)slot] = seen - 1;
            }
        }
        return (FeatureMatrix.FromRows(sample), indices.ToArray());
    }

    private TrainedAutoencoder Train(int columns, long rows, Standardizer standardizer, Func<Random, Device, TrainingBatches> batches,
        Func<(FeatureMatrix Rows, long[]? Indices)> referenceRows, CancellationToken cancellationToken, bool noise2Noise)
    {
        if ((_options.Convolutional?.UseBatchNormalization ?? _options.UseBatchNormalization) && rows < 2)
            throw new ArgumentException("Batch normalization needs at least two training rows.", "data");
        if (_options.ScoreKind == ScoreKind.NearestNeighbors && rows < 2)
            throw new ArgumentException("The nearest-neighbour score needs at least two training rows; with one, set ScoreKind = ReconstructionError.", "data");

        TorchRuntime.Prepare();
        lock (GlobalTorchState)
        {
            var device = TorchDevice.Resolve(_options.TrainingDevice, _options.FallbackToCpu, _options.Log);
            torch.manual_seed(_options.Seed);
            var model = CreateNetwork(columns);
            TorchRuntime.SetThreads(_options.NumberOfThreads, model.MultiplyAddsPerRow * _options.BatchSize);
            if (model is ConvolutionalAutoencoder convolutional)
                OneDnn.Configure(convolutional.FitsOneDnnBlocks, ConvolutionalAutoencoder.ChannelBlock, _options.Log);
            if (model.LatentSize >= columns && _options.Corruptions.Count == 0 && !new Regularization(_options).Any)
                _options.Log?.Invoke($"The latent code has {model.LatentSize} values, not fewer than the {columns} input features: " +
                                     "without corruption or regularization the autoencoder can learn the identity and its scores carry little signal.");
            try
            {
                model.to(device);
                using var source = batches(new Random(_options.Seed), device);
                using var corruptor = _options.Corruptions.Count == 0 ? null : new Corruptor(_options.Corruptions, standardizer, _options.Seed, device, _options.ImageShape);
                var pretraining = _options.PretrainingEpochs > 0
                    ? StackedPretraining.Run((DenseAutoencoder)model, source, corruptor, _options, _options.PretrainingEpochs, Loss, cancellationToken)
                    : [];
                var run = Train(model, source, corruptor, cancellationToken);
                model.to(torch.CPU);
                model.eval();
                var building = Stopwatch.StartNew();
                var neighbors = _options.ScoreKind == ScoreKind.NearestNeighbors
                    ? NeighborScore.Build(model, referenceRows(), _options.Neighbors, _options.Seed, _options.ImageShape)
                    : null;
                return new TrainedAutoencoder(model, standardizer, run.History, run.BestEpoch, run.StoppedEarly, source.TrainingRows, _options, noise2Noise,
                    pretraining, neighbors, Epochs(source.TrainingRows + source.ValidationRows), source.IsValidationRow) { ScoreBuildTime = building.Elapsed };
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
    }

    /// <summary>The network the options describe, for rows of <paramref name="inputSize"/> features, freshly initialized.</summary>
    private AutoencoderNetwork CreateNetwork(int inputSize) => _options.Convolutional is ConvolutionalArchitecture convolutional
        ? new ConvolutionalAutoencoder(_options.ImageShape!, convolutional.Clone()) { Residual = _options.Residual }
        : new DenseAutoencoder(inputSize, _options.ResolveDense(inputSize)) { Residual = _options.Residual };

    /// <summary>
    /// An epoch whose reconstruction loss is this many times that of a model predicting the mean row (or of one
    /// standardized unit, whichever is larger) stops training: the weights have run away, typically from a learning rate
    /// far too high, while the loss stayed finite.
    /// </summary>
    internal const double DivergenceFactor = 100;

    /// <summary>Whether an epoch's reconstruction loss shows runaway weights (see <see cref="DivergenceFactor"/>).</summary>
    private static bool RanAway(EpochLoop.Result result) => result.Reconstruction > DivergenceFactor * Math.Max(result.MeanPrediction, 1);

    /// <summary>
    /// Whether the kept model reconstructs clearly worse than predicting the mean row: its scores then carry little signal.
    /// The margin leaves room for training-mode losses (dropout, corruption), which overstate the model's real error.
    /// </summary>
    private static bool WorseThanMean(EpochLoop.Result result) => result.Reconstruction > 1.5 * result.MeanPrediction + 1e-3;

    private sealed record Run(List<EpochMetrics> History, int BestEpoch, bool StoppedEarly);

    /// <summary>The epochs to run for <paramref name="rows"/> training rows: the setting, or the automatic count for 0.</summary>
    internal int Epochs(long rows) => _options.NumberOfEpochs > 0 ? _options.NumberOfEpochs : AutoencoderDefaults.AutomaticEpochs(rows, _options.Convolutional is not null);

    private Run Train(AutoencoderNetwork model, TrainingBatches batches, Corruptor? corruptor, CancellationToken cancellationToken)
    {
        bool batchNorm = model.UsesBatchNormalization;
        var regularization = new Regularization(_options);
        using var sampling = model.Variational ? new Generator((ulong)(uint)_options.Seed + SamplingStream, DeviceOf(model)) : null;
        using var optimizer = new InPlaceAdam(model.parameters(), _options.LearningRate, _options.WeightDecay);

        int epochs = Epochs(batches.TrainingRows + batches.ValidationRows);
        var history = new List<EpochMetrics>();
        var results = new List<EpochLoop.Result>();
        double best = double.PositiveInfinity;
        int bestEpoch = 0;
        Dictionary<string, Tensor>? bestState = null;
        bool stoppedEarly = false;
        try
        {
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                model.train();
                var result = EpochLoop.Run(batches, optimizer, (x, target) =>
                {
                    if (batchNorm && x.shape[0] < 2)
                        return null; // batch statistics need two rows; like PyTorch's drop_last for a lone trailing row
                    var input = corruptor is null ? x : corruptor.Corrupt(x);
                    if (regularization.NeedsInputGradient)
                        input = input.detach().requires_grad_(true);
                    var (latent, reconstruction, objective) = Objective(model, input, target, sampling);
                    if (regularization.Any)
                        objective = objective + regularization.Penalty(latent, input);
                    return new EpochLoop.Step(objective, reconstruction, Loss(torch.zeros_like(target), target));
                }, epoch, _options.LearningRate, cancellationToken);
                results.Add(result);
                if (RanAway(result))
                    throw TrainingDivergedException.RunAway(epoch, result.Reconstruction, result.MeanPrediction, _options.LearningRate);

                double? validationLoss = batches.ValidationRows > 0 ? Evaluate(model, batches) : null;
                if (validationLoss is double v && !double.IsFinite(v))
                    throw new TrainingDivergedException(epoch, 0, v, _options.LearningRate);
                var metrics = new EpochMetrics(epoch, result.Objective, validationLoss, result.Rows, clock.Elapsed, epochs);
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
                        stoppedEarly = epoch < epochs;
                        break;
                    }
                }
            }
            if (bestState is not null)
                model.load_state_dict(bestState);
            int kept = bestState is null ? history.Count : bestEpoch;
            var last = results[kept - 1];
            if (WorseThanMean(last))
                _options.Log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The trained model reconstructs worse than predicting the mean row (loss {last.Reconstruction:G4} against {last.MeanPrediction:G4} at epoch {kept}): " +
                    $"its scores carry little signal. Lower LearningRate (now {_options.LearningRate}) or train more epochs."));
            return new Run(history, kept, stoppedEarly);
        }
        finally
        {
            DisposeAll(bestState);
        }
    }

    private double Evaluate(AutoencoderNetwork model, TrainingBatches batches)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        // A variational model is validated on a Monte Carlo sample of its objective from a generator reseeded every
        // epoch, so the validation loss (and early stopping) is reproducible.
        using var sampling = model.Variational ? new Generator((ulong)(uint)_options.Seed + ValidationStream, DeviceOf(model)) : null;
        return batches.ValidationLoss((x, target) => Objective(model, x, target, sampling).Objective);
    }

    private const ulong SamplingStream = 0xAE5A3F1E;
    private const ulong ValidationStream = 0x7A11DA7E;

    private static Device DeviceOf(AutoencoderNetwork model) => model.parameters().First().device;

    /// <summary>
    /// The code used for regularization and the objective for a minibatch: the reconstruction loss, plus for a variational
    /// model (2β / features) · KL(N(μ, σ²) ‖ N(0, I)) with the decoder fed a reparameterized sample μ + σ·ε.
    /// </summary>
    private (Tensor Latent, Tensor Reconstruction, Tensor Objective) Objective(AutoencoderNetwork model, Tensor input, Tensor target, Generator? sampling)
    {
        if (!model.Variational)
        {
            var (latent, restored) = model.Reconstruct(input);
            var loss = Loss(restored, target);
            return (latent, loss, loss);
        }
        var (mean, logVariance) = model.EncodeDistribution(input);
        var noise = torch.randn(mean.shape, generator: sampling, device: mean.device);
        // Every Scalar explicit and disposed after its call: see Models/LeakyReLU on implicit Scalars.
        using var half = 0.5.ToScalar();
        using var weight = (2 * _options.KLWeight / input.shape[1]).ToScalar();
        var sample = mean.Plus((logVariance * half).exp() * noise);
        var divergence = KLDivergence(mean, logVariance).mean();
        var reconstruction = Loss(model.Decode(sample), target);
        return (mean, reconstruction, reconstruction.Plus(divergence * weight));
    }

    /// <summary>Per row, KL(N(μ, σ²) ‖ N(0, I)) = −½ Σ (1 + log σ² − μ² − σ²).</summary>
    internal static Tensor KLDivergence(Tensor mean, Tensor logVariance)
    {
        using var one = 1.0.ToScalar();
        using var minusHalf = (-0.5).ToScalar();
        return (logVariance.Plus(one) - mean.square() - logVariance.exp()).sum([1L]) * minusHalf;
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
