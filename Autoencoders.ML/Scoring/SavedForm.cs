using Autoencoders.ML.Interop;
using Autoencoders.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// What <c>mlContext.Model.Save</c> writes for an autoencoder stage: a chain of ML.NET's built-in transformers, so that
/// <c>mlContext.Model.Load</c> restores it without this library.
/// </summary>
/// <remarks>
/// The chain is ML.NET's ONNX transformer holding the one-row graph (<see cref="AutoencoderOnnxModel.ToRowGraph"/>: the
/// requested outputs as plain vectors, the score as the 1-vector <see cref="ScoreVectorColumn"/>, since ML.NET 5's ONNX
/// transformer cannot output scalars), then ML.NET's anomaly scorer (<see cref="MLNetInternals.AnomalyScorer"/>), which
/// turns the 1-vector into the scalar <c>Score</c> exactly and adds <c>PredictedLabel</c> = Score &gt; threshold with the
/// threshold stored as a binary float (no text, so no culture can misread it), then renames and drops. The chain is built
/// only while saving: scoring in this process never goes through it.
/// </remarks>
internal static class SavedForm
{
    /// <summary>The one-element vector column the row graph writes the score to.</summary>
    public const string ScoreVectorColumn = OnnxNames.ReservedPrefix + "ScoreVector";

    /// <summary>The one-element vector column the row graph writes the probability to.</summary>
    public const string ProbabilityVectorColumn = OnnxNames.ReservedPrefix + "ProbabilityVector";

    /// <summary>The columns ML.NET's anomaly scorer writes.</summary>
    private const string ScorerScore = "Score", ScorerLabel = "PredictedLabel";

    /// <summary>Prefix of the outputs that replace the feature column (a graph cannot output its input's name); copied into place.</summary>
    private const string RenamedOutputPrefix = OnnxNames.ReservedPrefix + "output/";

    /// <summary>Saves <paramref name="model"/> with the columns of <paramref name="options"/> as ML.NET's own transformers into <paramref name="context"/>.</summary>
    /// <exception cref="IOException">The temporary folder cannot be written.</exception>
    public static void Save(IHostEnvironment environment, AutoencoderOnnxModel model, AutoencoderScoringOptions options, ModelSaveContext context)
    {
        // ML.NET's ONNX transformer reads its model from a file, also when saving: a file of ours, deleted right after.
        string file = TemporaryFiles.Write(MLNetInternals.TempFilePath(environment), RowGraph(model, options), "saving the model");
        try
        {
            using var chain = Create(model, options, file);
            ((ICanSaveModel)chain).Save(context);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The row graph with the stage's columns as outputs and its column settings as the tag.</summary>
    public static byte[] RowGraph(AutoencoderOnnxModel model, AutoencoderScoringOptions options) =>
        model.ToRowGraph(options.FeatureColumnName, VectorOutputs(options).Select(o => new AutoencoderOnnxModel.RowGraphOutput(o.Output, o.Name)).ToList(),
            ScoringColumns.From(options).ToJson());

    /// <summary>The graph outputs ML.NET reads, each a [k] vector under the name the row graph gives it.</summary>
    private static IEnumerable<(string Output, string Name)> VectorOutputs(AutoencoderScoringOptions options)
    {
        foreach (var (output, column) in options.OutputColumns())
        {
            if (output == OnnxNames.PredictedLabel)
                continue;
            yield return (output, output == OnnxNames.Score ? ScoreVectorColumn : output == OnnxNames.Probability ? ProbabilityVectorColumn
                : column == options.FeatureColumnName ? RenamedOutputPrefix + column : column);
        }
    }

    private static TransformerChain<ITransformer> Create(AutoencoderOnnxModel model, AutoencoderScoringOptions options, string rowGraphFile)
    {
        var context = new MLContext();
        var outputs = VectorOutputs(options).Select(o => o.Name).ToArray();
        var data = EmptyInput(context, options.FeatureColumnName, model.InputSize);
        var steps = new List<ITransformer>();
        void Add(ITransformer step)
        {
            steps.Add(step);
            data = step.Transform(data);
        }
        Add(context.Transforms.ApplyOnnxModel(outputs, [options.FeatureColumnName], rowGraphFile).Fit(data));
        if (options.ProbabilityColumnName is string probability)
        {
            // The 1-vector becomes a scalar through a regression scorer, whose column is "Score": taken before the anomaly scorer writes its own.
            bool hadScore = data.Schema.GetColumnOrNull(ScorerScore) is not null;
            Add(MLNetInternals.VectorToScalar(context, data.Schema, ProbabilityVectorColumn));
            Add(context.Transforms.CopyColumns(probability, ScorerScore).Fit(data));
            Add(context.Transforms.DropColumns([ProbabilityVectorColumn, .. hadScore ? Array.Empty<string>() : [ScorerScore]]).Fit(data));
        }
        if (options.ScoreColumnName is string score)
        {
            var inputColumns = data.Schema.Select(c => c.Name).ToHashSet();
            Add(MLNetInternals.AnomalyScorer(context, data.Schema, ScoreVectorColumn, model.Threshold, ScorerScore));
            if (score != ScorerScore)
                Add(context.Transforms.CopyColumns(score, ScorerScore).Fit(data));
            if (options.PredictedLabelColumnName is string label && label != ScorerLabel)
                Add(context.Transforms.CopyColumns(label, ScorerLabel).Fit(data));
            // The scorer's own columns go unless they are asked for (or were in the input, which they now shadow).
            var dropped = new List<string> { ScoreVectorColumn };
            if (score != ScorerScore && !inputColumns.Contains(ScorerScore))
                dropped.Add(ScorerScore);
            if (options.PredictedLabelColumnName != ScorerLabel && !inputColumns.Contains(ScorerLabel))
                dropped.Add(ScorerLabel);
            Add(context.Transforms.DropColumns([.. dropped]).Fit(data));
        }
        // An output that replaces the feature column left the graph under another name: copy it into place.
        foreach (string renamed in outputs.Where(o => o.StartsWith(RenamedOutputPrefix, StringComparison.Ordinal)))
            Add(context.Transforms.CopyColumns(options.FeatureColumnName, renamed).Append(context.Transforms.DropColumns(renamed)).Fit(data));
        return new TransformerChain<ITransformer>([.. steps]);
    }

    private sealed class EmptyRow
    {
        public float[] Features { get; set; } = [];
    }

    private static IDataView EmptyInput(MLContext context, string column, int size)
    {
        var schema = SchemaDefinition.Create(typeof(EmptyRow));
        schema[0].ColumnName = column;
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return context.Data.LoadFromEnumerable(Array.Empty<EmptyRow>(), schema);
    }
}
