using Autoencoders.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.Training.Scores;

/// <summary>
/// Groups rows for <see cref="NeighborReference.Prototypes"/>: k-means (k-means++ seeding, then Lloyd's iterations), after
/// which every group with fewer than the required members is dissolved, its rows joining their nearest remaining group,
/// so every group — and so every prototype, the mean of a group — has at least that many rows.
/// </summary>
internal static class PrototypeGroups
{
    /// <summary>Lloyd's iterations at most (they stop earlier when no row changes group).</summary>
    public const int MaxIterations = 20;

    /// <summary>
    /// The group of each of the rows <paramref name="x"/> [n, width]: at most <paramref name="groups"/> groups (fewer when
    /// n / <paramref name="members"/> is smaller), each of at least <paramref name="members"/> rows (one group of all rows
    /// when there are fewer than that), numbered from 0 in order of their first row. Seeded by <paramref name="seed"/>.
    /// </summary>
    public static int[] Assign(Tensor x, int groups, int members, int seed)
    {
        using var scope = torch.NewDisposeScope();
        int n = (int)x.shape[0];
        int count = Math.Max(1, Math.Min(groups, n / Math.Max(members, 1)));
        var norms = (x * x).sum([1L], keepdim: true);
        var centers = Seed(x, norms, count, new Random(seed));
        var assignment = Nearest(x, norms, centers);
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            centers = Means(x, assignment, count, centers);
            var next = Nearest(x, norms, centers);
            bool unchanged = next.eq(assignment).all().item<bool>();
            assignment = next;
            if (unchanged)
                break;
        }
        return Renumbered(Dissolve(x, norms, TensorMemory.ToIntArray(assignment), count, members));
    }

    /// <summary>k-means++: the first centre a random row, each next one a row drawn with probability proportional to its squared distance to the nearest centre so far.</summary>
    private static Tensor Seed(Tensor x, Tensor norms, int count, Random random)
    {
        int n = (int)x.shape[0];
        var chosen = new List<long> { random.Next(n) };
        var closest = SquaredDistances(x, norms, x.narrow(0, chosen[0], 1)).squeeze(1);
        for (int c = 1; c < count; c++)
        {
            var weights = TensorMemory.ToArray(closest);
            double total = 0;
            foreach (float w in weights)
                total += w;
            long pick;
            if (!(total > 0))
                pick = random.Next(n);  // every row already on a centre: any row
            else
            {
                double target = random.NextDouble() * total, sum = 0;
                pick = n - 1;
                for (int i = 0; i < n; i++)
                {
                    sum += weights[i];
                    if (sum > target)
                    {
                        pick = i;
                        break;
                    }
                }
            }
            chosen.Add(pick);
            closest = torch.minimum(closest, SquaredDistances(x, norms, x.narrow(0, pick, 1)).squeeze(1));
        }
        return x.index_select(0, torch.tensor(chosen.ToArray()));
    }

    /// <summary>Squared distances [n, centres] of rows <paramref name="x"/> (squared norms <paramref name="norms"/>) to <paramref name="centers"/>, at least 0.</summary>
    private static Tensor SquaredDistances(Tensor x, Tensor norms, Tensor centers)
    {
        var products = x.matmul(centers.t());
        return torch.nn.functional.relu((norms - products - products).Plus((centers * centers).sum([1L]).unsqueeze(0)));
    }

    private static Tensor Nearest(Tensor x, Tensor norms, Tensor centers) => SquaredDistances(x, norms, centers).argmin(1);

    /// <summary>The mean of each group's rows (in double precision); a group left empty keeps its centre.</summary>
    private static Tensor Means(Tensor x, Tensor assignment, int count, Tensor centers)
    {
        // Explicit tensors and TorchScalars.One, not implicit Scalars (see Native/TorchScalars).
        var sums = torch.zeros([count, x.shape[1]], ScalarType.Float64).index_add_(0, assignment, x.to_type(ScalarType.Float64), TorchScalars.One);
        var sizes = torch.zeros([count], ScalarType.Float64).index_add_(0, assignment, torch.ones([x.shape[0]], ScalarType.Float64), TorchScalars.One);
        var one = torch.ones_like(sizes);
        var means = (sums / torch.maximum(sizes, one).unsqueeze(1)).to_type(x.dtype);
        return torch.where(sizes.ge(one).unsqueeze(1), means, centers);
    }

    /// <summary>Rows of groups smaller than <paramref name="members"/> join their nearest group of at least that many (all rows one group when none is).</summary>
    private static int[] Dissolve(Tensor x, Tensor norms, int[] assignment, int count, int members)
    {
        var sizes = new int[count];
        foreach (int g in assignment)
            sizes[g]++;
        var kept = Enumerable.Range(0, count).Where(g => sizes[g] >= members).ToArray();
        if (kept.Length == sizes.Count(size => size > 0))
            return assignment;
        if (kept.Length == 0)
            return new int[assignment.Length];
        var centers = Means(x, torch.tensor(assignment.Select(g => (long)g).ToArray()), count, torch.zeros([count, x.shape[1]], x.dtype))
            .index_select(0, torch.tensor(kept.Select(g => (long)g).ToArray()));
        var moved = Enumerable.Range(0, assignment.Length).Where(i => sizes[assignment[i]] < members).ToArray();
        var movedRows = torch.tensor(moved.Select(i => (long)i).ToArray());
        var nearest = TensorMemory.ToIntArray(Nearest(x.index_select(0, movedRows), norms.index_select(0, movedRows), centers));
        var result = (int[])assignment.Clone();
        for (int i = 0; i < moved.Length; i++)
            result[moved[i]] = kept[nearest[i]];
        return result;
    }

    /// <summary>The groups numbered 0, 1, … in order of their first row.</summary>
    private static int[] Renumbered(int[] assignment)
    {
        var numbers = new Dictionary<int, int>();
        return assignment.Select(g => numbers.TryGetValue(g, out int number) ? number : numbers[g] = numbers.Count).ToArray();
    }
}
