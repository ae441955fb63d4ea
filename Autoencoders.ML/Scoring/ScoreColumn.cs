using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// Turns the graph's one-element score vector into ML.NET's scalar <c>Score</c> column and derives <c>PredictedLabel</c>,
/// using only ML.NET's built-in transformers so a saved model reloads without this library.
/// </summary>
/// <remarks>
/// No public ML.NET transform maps a vector to a scalar, and the ONNX transformer's own scalar outputs are broken in
/// ML.NET 5. A linear regression prediction transformer with weight 1 and bias 0 computes 0 + 1·x = x exactly in float
/// arithmetic and outputs the scalar column <c>Score</c>; it is built through its internal constructor (the same one ML.NET's
/// trainers call). The label is <c>Score &gt; threshold</c> in ML.NET's Expression transform.
/// </remarks>
internal static class ScoreColumn
{
    private const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
    private const string RegressionScoreColumn = "Score";

    public static IEnumerable<ITransformer> Create(MLContext context, IDataView afterGraph, AutoencoderScoringOptions options, float threshold)
    {
        var weights = new VBuffer<float>(1, [1f]);
        var model = (LinearRegressionModelParameters)Construct(typeof(LinearRegressionModelParameters), context, weights, 0f);
        var identity = (ITransformer)Construct(typeof(RegressionPredictionTransformer<LinearRegressionModelParameters>),
            context, model, afterGraph.Schema, RowScoringGraph.ScoreVectorColumn);
        yield return identity;
        var data = identity.Transform(afterGraph);

        string scoreColumn = options.ScoreColumnName!;
        var steps = new List<IEstimator<ITransformer>>();
        if (scoreColumn != RegressionScoreColumn)
            steps.Add(context.Transforms.CopyColumns(scoreColumn, RegressionScoreColumn));
        string literal = threshold.ToString("R", CultureInfo.InvariantCulture);
        if (options.PredictedLabelColumnName is not null)
            steps.Add(context.Transforms.Expression(options.PredictedLabelColumnName, $"s => s > {literal}", scoreColumn));
        var dropped = new List<string> { RowScoringGraph.ScoreVectorColumn };
        if (scoreColumn != RegressionScoreColumn && afterGraph.Schema.GetColumnOrNull(RegressionScoreColumn) is null)
            dropped.Add(RegressionScoreColumn);
        steps.Add(context.Transforms.DropColumns([.. dropped]));
        foreach (var step in steps)
        {
            var transformer = step.Fit(data);
            data = transformer.Transform(data);
            yield return transformer;
        }
    }

    private static object Construct(Type type, params object[] arguments)
    {
        var constructor = type.GetConstructors(Internal).FirstOrDefault(c =>
            c.GetParameters().Length == arguments.Length &&
            c.GetParameters().Zip(arguments).All(p => (p.First.ParameterType.IsByRef ? p.First.ParameterType.GetElementType()! : p.First.ParameterType).IsInstanceOfType(p.Second)))
            ?? throw new InvalidOperationException($"The constructor of {type.Name} this library needs was not found; this Microsoft.ML version is not supported.");
        return constructor.Invoke(arguments);
    }
}
