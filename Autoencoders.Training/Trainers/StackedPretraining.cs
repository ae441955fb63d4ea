using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>
/// Greedy layer-wise pretraining of a stacked denoising autoencoder (Vincent et al. 2010): each encoder layer, from the
/// input side, is trained as a one-layer denoising autoencoder on the codes of the (already trained, frozen) layers below,
/// then its encoder and decoder weights are copied into the full model, which is fine-tuned end to end afterwards.
/// </summary>
/// <remarks>
/// Layer 1 sees the configured corruptions (in the original scale, like ordinary training). Higher layers see the
/// corruptions that make sense on codes (Gaussian, masking, salt-and-pepper with the codes' own range) applied to the
/// codes; image corruptions apply to the first layer only. Needs a mirrored decoder and no batch normalization.
/// </remarks>
internal static class StackedPretraining
{
    public static List<IReadOnlyList<EpochMetrics>> Run(DenseAutoencoder model, TrainingBatches batches, Corruptor? corruptor,
        TrainerOptions options, int epochs, Func<Tensor, Tensor, Tensor> loss, CancellationToken cancellationToken)
    {
        var encoders = model.EncoderLayers.Where(l => l.Kind == LayerKind.Linear).ToList();
        var decoders = model.DecoderLayers.Where(l => l.Kind == LayerKind.Linear).Reverse().ToList(); // decoders[i] mirrors encoders[i]
        var histories = new List<IReadOnlyList<EpochMetrics>>();
        var device = ((Linear)encoders[0].Module).weight!.device;
        using var generator = new Generator((ulong)(uint)options.Seed + 0x5AC3ED, device);
        var codeCorruptions = options.Corruptions.Where(c => c is not ImageCorruption).ToList();

        for (int level = 0; level < encoders.Count; level++)
        {
            var encoder = (Linear)encoders[level].Module;
            var decoder = (Linear)decoders[level].Module;
            // The activation after this encoder layer in the full model (none for the latent code).
            int index = model.EncoderLayers.ToList().IndexOf(encoders[level]);
            var activation = model.EncoderLayers.Skip(index + 1).TakeWhile(l => l.Kind != LayerKind.Linear)
                .FirstOrDefault(l => l.Kind == LayerKind.Activation)?.Module;
            var parameters = encoder.parameters().Concat(decoder.parameters()).ToList();
            using var optimizer = new InPlaceAdam(parameters, options.LearningRate, options.WeightDecay);
            var history = new List<EpochMetrics>();
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var result = EpochLoop.Run(batches, optimizer, (x, _) =>
                {
                    Tensor input, target;
                    using (torch.no_grad())
                    {
                        target = Below(model, level, x, encoders);
                        input = level == 0
                            ? (corruptor is null ? x : corruptor.Corrupt(x))
                            : CorruptCodes(target, codeCorruptions, generator);
                    }
                    var code = encoder.call(input);
                    if (activation is not null)
                        code = activation.call(code);
                    var error = loss(decoder.call(code), target);
                    return new EpochLoop.Step(error, error, loss(torch.zeros_like(target), target));
                }, epoch, options.LearningRate, cancellationToken);
                history.Add(new EpochMetrics(epoch, result.Objective, null, result.Rows, clock.Elapsed, epochs));
            }
            histories.Add(history);
        }
        return histories;
    }

    /// <summary>The input of encoder layer <paramref name="level"/>: the batch passed through the full encoder up to that layer.</summary>
    private static Tensor Below(DenseAutoencoder model, int level, Tensor x, List<Layer> encoders)
    {
        if (level == 0)
            return x;
        int stop = model.EncoderLayers.ToList().IndexOf(encoders[level]);
        var h = x;
        foreach (var layer in model.EncoderLayers.Take(stop))
            h = layer.Module.call(h);
        return h;
    }

    private static Tensor CorruptCodes(Tensor codes, List<Corruption> corruptions, Generator generator)
    {
        if (corruptions.Count == 0)
            return codes;
        var context = new CorruptionContext(generator, codes.amin([0L]), codes.amax([0L]), null);
        foreach (var corruption in corruptions)
            codes = corruption.Apply(codes, context);
        return codes;
    }
}
