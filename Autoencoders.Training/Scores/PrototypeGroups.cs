using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Scores;

/// <summary>
/// Groups rows for <see cref="NeighborReference.Prototypes"/> by microaggregation — MDAV, "maximum distance to average
/// vector" (Domingo-Ferrer &amp; Mateo-Sanz 2002), the statistical-disclosure-control method that publishes each record as
/// the mean of a group of at least k similar ones: while at least 3m rows are left, the row farthest from the rest's mean
/// and its m − 1 nearest form a group, then the row farthest from that first row and its m − 1 nearest; of the last rows,
/// 2m to 3m − 1 make two groups the same way, fewer one. So every group has m to 2m − 1 rows of nearby rows (unlike
/// k-means, whose small groups would have to be dissolved, blurring the data most where it is sparse), and the result
/// does not depend on a seed.
/// </summary>
internal static class PrototypeGroups
{
    /// <summary>
    /// The group of each of the rows <paramref name="x"/> [n, width], numbered from 0 in the order they are formed: groups
    /// of <paramref name="members"/> rows, or of ⌈n / <paramref name="groups"/>⌉ when that is more (so at most
    /// <paramref name="groups"/> groups); one group of every row when there are fewer than 2 × that many.
    /// </summary>
    public static int[] Assign(Tensor x, int groups, int members)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        int n = (int)x.shape[0];
        int size = Math.Max(Math.Max(1, members), (int)((n + (long)groups - 1) / Math.Max(groups, 1)));
        var assignment = new int[n];
        if (n < 2 * size)
            return assignment;
        // Centred (so the distances' expansion keeps its digits), in double: the running sum of the rows left is exact enough.
        var rows = (x - x.mean([0L], keepdim: true)).to_type(ScalarType.Float64);
        var norms = (rows * rows).sum([1L]);
        var alive = torch.ones(n, ScalarType.Bool);
        var sum = rows.sum([0L]);
        int left = n, group = 0;
        // Explicit tensors and Scalars, never implicit ones (see Native/TorchScalars).
        using var dead = false.ToScalar();
        var infinity = torch.tensor(double.PositiveInfinity, ScalarType.Float64);
        var negativeInfinity = torch.tensor(double.NegativeInfinity, ScalarType.Float64);

        Tensor SquaredDistances(Tensor point)
        {
            var products = rows.matmul(point);
            return (norms - products - products).Plus((point * point).sum());
        }
        long Farthest(Tensor point) => torch.where(alive, SquaredDistances(point), negativeInfinity).argmax().item<long>();
        void Take(long around)
        {
            using var step = torch.NewDisposeScope();
            var nearest = torch.where(alive, SquaredDistances(rows[around]), infinity).topk(size, largest: false).indexes;
            foreach (long row in TensorMemory.ToIntArray(nearest))
                assignment[row] = group;
            alive.index_fill_(0, nearest, dead);
            sum.sub_(rows.index_select(0, nearest).sum([0L]));
            left -= size;
            group++;
        }

        while (left >= 3 * size)
        {
            using var step = torch.NewDisposeScope();
            long first = Farthest(sum / torch.tensor((double)left, ScalarType.Float64));
            Take(first);
            Take(Farthest(rows[first]));
        }
        if (left >= 2 * size)
        {
            using var step = torch.NewDisposeScope();
            Take(Farthest(sum / torch.tensor((double)left, ScalarType.Float64)));
        }
        foreach (long row in TensorMemory.ToIntArray(alive.nonzero().flatten()))
            assignment[row] = group;
        return assignment;
    }
}
