using System.Reflection;
using Autoencoders.ML.AnomalyDetection;
using Autoencoders.ML.Fitting;
using Autoencoders.ML.Scoring;
using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Models;
using Autoencoders.Training.Scores;
using Autoencoders.Training.Trainers;

namespace Autoencoders.Tests.Architecture;

/// <summary>
/// One definition per setting: every engine setting is reachable from the ML.NET stages under the same name, every stage
/// setting is either an engine setting or deliberately the stage's own, the mapping copies each one, and both sides have
/// the same defaults. A new property on either side fails here until it is mapped or listed below with its reason.
/// </summary>
[TestClass]
public sealed class OptionsMappingTests
{
    /// <summary>Engine settings the stages set themselves, with the reason.</summary>
    private static readonly Dictionary<string, string> SetByTheStage = new()
    {
        [nameof(TrainerOptions.Seed)] = "the stage's Seed is nullable: null draws one from the MLContext, like ML.NET's trainers",
        [nameof(TrainerOptions.Log)] = "the stage logs to the MLContext's channel",
        [nameof(TrainerOptions.Progress)] = "the stage reports each epoch on the MLContext's channel, then calls the user's Progress",
    };

    /// <summary>Stage settings with no engine counterpart, with the reason.</summary>
    private static readonly Dictionary<string, string> StageOnly = new()
    {
        [nameof(AutoencoderTrainingOptions.TargetColumnName)] = "an IDataView column: the engine takes the target matrix itself",
        [nameof(AutoencoderTrainingOptions.InvalidValueHandling)] = "how the IDataView's rows are read; the engine rejects non-finite values",
        [nameof(AutoencoderTrainingOptions.CancellationToken)] = "the engine takes the token as a Fit argument",
        [nameof(AutoencoderTrainingOptions.Seed)] = "mapped by the stage (see SetByTheStage)",
        [nameof(AutoencoderTrainingOptions.Progress)] = "mapped by the stage (see SetByTheStage)",
    };

    private static PropertyInfo[] Settable(Type type, bool declaredOnly = false) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance | (declaredOnly ? BindingFlags.DeclaredOnly : 0)).Where(p => p.CanWrite).ToArray();

    [TestMethod]
    public void EveryEngineSetting_IsAStageSetting_OfTheSameNameAndType()
    {
        var stage = Settable(typeof(AutoencoderTrainingOptions)).ToDictionary(p => p.Name);
        foreach (var property in Settable(typeof(TrainerOptions)).Where(p => !SetByTheStage.ContainsKey(p.Name)))
        {
            Assert.IsTrue(stage.TryGetValue(property.Name, out var match), $"TrainerOptions.{property.Name} is not reachable from the ML.NET stages: add it to AutoencoderTrainingOptions and ToTrainerOptions, or list it in SetByTheStage with the reason.");
            Assert.AreEqual(property.PropertyType, match.PropertyType, property.Name);
        }
    }

    [TestMethod]
    public void EveryStageSetting_IsAnEngineSetting_OrTheStagesOwn()
    {
        var engine = Settable(typeof(TrainerOptions)).Select(p => p.Name).ToHashSet();
        var scoring = Settable(typeof(AutoencoderScoringOptions)).Select(p => p.Name).Where(n => !engine.Contains(n));
        foreach (var property in Settable(typeof(AutoencoderTrainingOptions), declaredOnly: true))
            Assert.IsTrue(engine.Contains(property.Name) || StageOnly.ContainsKey(property.Name),
                $"AutoencoderTrainingOptions.{property.Name} reaches no engine setting: map it in ToTrainerOptions or list it in StageOnly with the reason.");
        Assert.IsNotEmpty(scoring.ToList()); // the columns and the scoring device are the stage's own by nature
    }

    [TestMethod]
    public void Mapping_CopiesEverySetting()
    {
        var stage = new AutoencoderAnomalyDetectionTrainer.Options();
        var engineNames = Settable(typeof(TrainerOptions)).Select(p => p.Name).Where(n => !SetByTheStage.ContainsKey(n)).ToHashSet();
        var expected = new Dictionary<string, object?>();
        foreach (var property in Settable(typeof(AutoencoderTrainingOptions)).Where(p => engineNames.Contains(p.Name)))
        {
            object? value = Distinct(property.PropertyType, property.GetValue(stage));
            property.SetValue(stage, value);
            expected[property.Name] = value;
        }
        var engine = stage.ToTrainerOptions(seed: 123, log: null, progress: null);
        Assert.AreEqual(engineNames.Count, expected.Count);
        foreach (var (name, value) in expected)
            Assert.AreEqual(value, typeof(TrainerOptions).GetProperty(name)!.GetValue(engine), name);
        Assert.AreEqual(123, engine.Seed);
    }

    /// <summary>Defaults a stage sets differently from the engine's, on purpose, with the reason.</summary>
    private static readonly Dictionary<(Type Stage, string Setting), string> StageDefaults = new()
    {
        [(typeof(AutoencoderAnomalyDetectionTrainer.Options), nameof(TrainerOptions.ScoreKind))] = "the detector scores by nearest neighbours (AutoencoderDefaults.DetectorScoreKind)",
        [(typeof(AutoencoderAnomalyDetectionTrainer.Options), nameof(TrainerOptions.ValidationFraction))] = "the detector keeps its best epoch (AutoencoderDefaults.DetectorValidationFraction)",
        [(typeof(Autoencoders.ML.Denoising.AutoencoderDenoisingEstimator.Options), nameof(TrainerOptions.Corruptions))] = "a denoiser needs a corruption",
    };

    [TestMethod]
    [DataRow(typeof(AutoencoderAnomalyDetectionTrainer.Options))]
    [DataRow(typeof(Autoencoders.ML.Denoising.AutoencoderDenoisingEstimator.Options))]
    [DataRow(typeof(Autoencoders.ML.Features.AutoencoderFeaturizerEstimator.Options))]
    public void Defaults_AreTheSameOnBothSides(Type stage)
    {
        var mapped = ((AutoencoderTrainingOptions)Activator.CreateInstance(stage)!).ToTrainerOptions(seed: 0, log: null, progress: null);
        var engine = new TrainerOptions();
        foreach (var property in Settable(typeof(TrainerOptions)).Where(p => !SetByTheStage.ContainsKey(p.Name) && !StageDefaults.ContainsKey((stage, p.Name))))
        {
            object? a = property.GetValue(mapped), b = property.GetValue(engine);
            if (a is System.Collections.IEnumerable listA && b is System.Collections.IEnumerable listB && a is not string)
                CollectionAssert.AreEqual(listA.Cast<object>().ToList(), listB.Cast<object>().ToList(), property.Name);
            else
                Assert.AreEqual(b, a, property.Name);
        }
    }

    [TestMethod]
    public void Estimator_KeepsACopy_LaterChangesDoNotReachIt()
    {
        var context = new Microsoft.ML.MLContext(seed: 1);
        var (train, _) = ML.AnomalyDetectionTests.Split(context);
        var options = new AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 2, Seed = 1, HiddenLayerSizes = [8] };
        var estimator = Autoencoders.ML.AutoencoderCatalog.Autoencoder(context.AnomalyDetection.Trainers, options);
        options.NumberOfEpochs = -1;         // invalid now, but the estimator checked and copied the valid value
        options.HiddenLayerSizes![0] = 99;    // arrays are copied too
        options.Neighbors.Count = 0;          // and the neighbour settings
        var model = estimator.Fit(train);
        Assert.HasCount(2, model.Training!.History);
        StringAssert.Contains(model.Training.Architecture, "12-8-3-8-12");
    }

    /// <summary>A valid-looking value of <paramref name="type"/> that differs from <paramref name="current"/>.</summary>
    private static object? Distinct(Type type, object? current)
    {
        if (type == typeof(int)) return (int)current! + 3;
        if (type == typeof(int?)) return 5;
        if (type == typeof(double)) return (double)current! + 0.125;
        if (type == typeof(bool)) return !(bool)current!;
        if (type == typeof(string)) return "cuda:1";
        if (type == typeof(int[])) return new[] { 7, 5 };
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type).Cast<object>().ToList();
            return values[(values.IndexOf(current!) + 1) % values.Count];
        }
        if (type == typeof(IReadOnlyList<Corruption>)) return new[] { Corruption.Masking(0.2) };
        if (type == typeof(ConvolutionalArchitecture)) return new ConvolutionalArchitecture { Channels = [16] };
        if (type == typeof(ImageShape)) return new ImageShape(1, 2, 3);
        if (type == typeof(NeighborScoreOptions)) return new NeighborScoreOptions { Count = 7, Reference = NeighborReference.TrainingRows, Smoothing = 0.5 };
        if (type == typeof(Action<EpochMetrics>)) return (Action<EpochMetrics>)(_ => { });
        throw new NotSupportedException($"No distinct value for {type}: extend Distinct.");
    }
}
