using System.Collections;
using Autoencoders.ML;
using Autoencoders.Tests.ML;
using Autoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Reliability;

/// <summary>
/// Batched scoring reads its input through one cursor: a source that can be enumerated only once (allowed by ML.NET if
/// read once) gives every row back, each with its own score. Before, a second cursor read the features ahead and the two
/// split the stream: 488 of 1,000 rows came back, each with another row's score.
/// </summary>
[TestClass]
public sealed class SinglePassTests
{
    private sealed class IdRow
    {
        public int Id { get; set; }
        public float[] Features { get; set; } = [];
    }

    private sealed class Scored
    {
        public int Id { get; set; }
        public float Score { get; set; }
    }

    /// <summary>Rows that can be read once: every enumerator continues the same underlying one.</summary>
    private sealed class OnePass<T>(IEnumerable<T> rows) : IEnumerable<T>
    {
        private readonly IEnumerator<T> _shared = rows.GetEnumerator();

        public IEnumerator<T> GetEnumerator()
        {
            while (_shared.MoveNext())
                yield return _shared.Current;
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(64)]
    [DataRow(256)]
    public void SinglePassSource_EveryRowComesBackWithItsOwnScore(int batchSize)
    {
        var context = new MLContext(seed: 1);
        var (train, _) = AnomalyDetectionTests.Split(context);
        var options = AnomalyDetectionTests.FastOptions();
        options.ScoringBatchSize = batchSize;
        var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);

        var matrix = SyntheticData.Normal(1000, 12, seed: 5);
        var rows = Enumerable.Range(0, 1000).Select(i => new IdRow { Id = i, Features = matrix.Row(i).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(IdRow));
        schema[nameof(IdRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 12);
        var expected = context.Data.CreateEnumerable<Scored>(model.Transform(context.Data.LoadFromEnumerable(rows, schema)), false).ToList();

        var once = context.Data.LoadFromEnumerable(new OnePass<IdRow>(rows), schema);
        var actual = context.Data.CreateEnumerable<Scored>(model.Transform(once), false).ToList();
        Assert.HasCount(1000, actual);
        CollectionAssert.AreEqual(Enumerable.Range(0, 1000).ToList(), actual.Select(r => r.Id).ToList());
        CollectionAssert.AreEqual(expected.Select(r => r.Score).ToList(), actual.Select(r => r.Score).ToList());
    }
}
