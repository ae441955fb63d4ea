"""Round 8: a bounded reference set of prototypes (means of several FIT rows) instead of the stored FIT rows.

The default score is z(input 5-NN distance) + z(hidden-layer 5-NN distance) over the stored FIT rows (leave-one-out for
the stored rows' statistics). Here the FIT rows are grouped and each group is stored as its mean, with its member count
and spread (the members' mean squared distance to it):
  * grouping (--methods): "kmeans" (k-means++ seeded, at most B groups, groups smaller than --min-members dissolved into
    their members' nearest remaining group) or "mdav" (microaggregation, Domingo-Ferrer & Mateo-Sanz 2002: groups of
    exactly max(m, ceil(n / B)) nearby rows, the last up to twice that);
  * the hidden-layer prototype (--hidden): "mean" (of the members' hidden features) or "of-mean" (the hidden features of
    the input mean: the file then tells nothing beyond the mean);
  * the budget: --budgets B, or --value-budget V (B = clamp(V / (features + hidden units), 64, 4096)).
Candidate scores of a query x against the prototypes c_j (--rules):
  * knn      mean of the k nearest ||x - c_j||
  * spread   mean of the k nearest sqrt(||x - c_j||^2 + alpha s_j^2)
  * members  the same, each group counted as many times as it has members, up to k "virtual members"
with alpha (--alphas; 1: the root mean squared distance to the members) and k (--ks).
The stored rows' statistics (mean, deviation per space) are leave-one-out: each FIT row is scored with itself taken out
of its own group (its prototype, spread and count made again without it). Reported: mean AUC over the suite (validation
protocol, seeds), the false-positive rate of the contamination-0.1 threshold on the held-out normals, with the threshold
taken from the FIT rows' in-group scores (what a graph that does not know its training rows gives them) and from their
leave-one-out ones. Results: prototypes_round8.md.

Validation protocol only (`test/` folders never read). Networks: the library's default (d -> clamp(2d,16,256) Tanh ->
clamp(ceil(d/4),2,64) -> ... ), 100 epochs, trained by aelib and cached in --cache.

usage: /usr/bin/python3 explore_prototypes.py [--seeds 0,1,2,3,4] [--value-budget 131072] [--methods mdav] ...
"""
import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from aelib import load, member, train

SETS = ["shuttle", "satellite", "letter", "digits", "vehicle", "breastw", "pima", "wdbc", "ionosphere", "glass",
        "wine", "sonar"]
K = 5
ALPHA = 1.0  # weight of the spread in a prototype's squared distance (1: the members' mean squared distance)


def hidden(name, s, cache, Xtr, Xte):
    path = f"{cache}/{name}_s{s}.npz"
    if not os.path.exists(path):
        st, _ = train(Xtr, [member(1000 * s, Xtr.shape[1])], epochs=100, group_seed=s)
        W0, b0 = st.W[0][0].detach().numpy(), st.b[0][0].detach().numpy()
        np.savez(path, W0=W0, b0=b0)
    z = np.load(path)
    return np.tanh(Xtr @ z["W0"] + z["b0"]).astype(np.float32), np.tanh(Xte @ z["W0"] + z["b0"]).astype(np.float32)


def sqdist(Q, R):
    Q, R = Q.astype(np.float64), R.astype(np.float64)
    return np.maximum((Q * Q).sum(1)[:, None] + (R * R).sum(1)[None, :] - 2 * Q @ R.T, 0)


def knn_rows(ref, q, loo):
    d = sqdist(q, ref)
    if loo:
        np.fill_diagonal(d, np.inf)
    k = min(K, d.shape[1] - (1 if loo else 0))
    return np.sqrt(np.sort(d, 1)[:, :k]).mean(1)


def kmeans(X, groups, seed, iterations=25):
    rng = np.random.default_rng(seed)
    n = len(X)
    centers = [X[rng.integers(n)]]
    closest = sqdist(X, centers[0][None, :])[:, 0]
    for _ in range(1, groups):  # k-means++
        p = closest / closest.sum() if closest.sum() > 0 else np.full(n, 1 / n)
        c = X[rng.choice(n, p=p)]
        centers.append(c)
        closest = np.minimum(closest, sqdist(X, c[None, :])[:, 0])
    C = np.array(centers)
    for _ in range(iterations):
        a = sqdist(X, C).argmin(1)
        sums = np.zeros_like(C)
        np.add.at(sums, a, X)
        counts = np.bincount(a, minlength=len(C))
        C[counts > 0] = sums[counts > 0] / counts[counts > 0, None]
    return sqdist(X, C).argmin(1)


def enforce(X, a, m):
    """Dissolves every group of fewer than m members at once: its members join their nearest group of at least m."""
    labels, counts = np.unique(a, return_counts=True)
    keep = labels[counts >= m]
    if len(keep) == len(labels):
        return np.unique(a, return_inverse=True)[1]
    if len(keep) == 0:
        return np.zeros(len(a), dtype=int)
    sums = np.zeros((a.max() + 1, X.shape[1]))
    np.add.at(sums, a, X)
    C = sums[keep] / np.bincount(a)[keep][:, None]
    a = a.copy()
    moved = ~np.isin(a, keep)
    a[moved] = keep[sqdist(X[moved], C).argmin(1)]
    return np.unique(a, return_inverse=True)[1]


def mdav(X, m):
    """Microaggregation (MDAV, Domingo-Ferrer & Mateo-Sanz 2002): groups of exactly m rows (the last of m..2m-1)."""
    n = len(X)
    left = np.arange(n)
    a = np.full(n, -1)
    g = 0

    def take(center_row):
        nonlocal left, g
        d = ((X[left] - center_row) ** 2).sum(1)
        chosen = left[np.argsort(d, kind="stable")[:m]]
        a[chosen] = g
        g += 1
        left = np.setdiff1d(left, chosen, assume_unique=True)

    while len(left) >= 3 * m:
        c = X[left].mean(0)
        r = X[left[((X[left] - c) ** 2).sum(1).argmax()]]
        take(r)
        s_ = X[left[((X[left] - r) ** 2).sum(1).argmax()]]
        take(s_)
    if len(left) >= 2 * m:
        c = X[left].mean(0)
        take(X[left[((X[left] - c) ** 2).sum(1).argmax()]])
    a[left] = g
    return a


def groups(X, budget, m, seed, method="kmeans"):
    n = len(X)
    if method == "mdav":  # groups of max(m, ceil(n / budget)) rows: at most the budget's groups
        return mdav(X, max(m, -(-n // budget)))
    g = max(1, min(budget, n // m))
    return enforce(X, kmeans(X, g, seed), m)


def summarize(V, a):
    G = a.max() + 1
    counts = np.bincount(a, minlength=G).astype(np.float64)
    C = np.zeros((G, V.shape[1]))
    np.add.at(C, a, V)
    C /= counts[:, None]
    s2 = np.zeros(G)
    np.add.at(s2, a, ((V - C[a]) ** 2).sum(1))
    return C, s2 / counts, counts


def rule_score(d, s2, counts, rule):
    """Scores from squared distances d (rows x groups) to the group means, spreads s2 and member counts (rows x groups or 1 x groups)."""
    k = min(K, d.shape[1])
    if rule == "knn":
        return np.sqrt(np.sort(d, 1)[:, :k]).mean(1)
    e = d + ALPHA * s2
    if rule == "spread":
        return np.sqrt(np.sort(e, 1)[:, :k]).mean(1)
    order = np.argsort(e, 1)[:, :K]
    es = np.take_along_axis(e, order, 1)
    cs = np.take_along_axis(np.broadcast_to(counts, e.shape), order, 1)
    before = np.cumsum(cs, 1) - cs
    take = np.clip(K - before, 0, cs)
    return (take * np.sqrt(es)).sum(1) / take.sum(1)


def proto_score(q, C, s2, counts, rule):
    return rule_score(sqdist(q, C), s2[None, :], counts[None, :], rule)


def loo_scores(V, a, C, s2, counts, rule):
    """Each stored row scored with itself taken out of its own group: x - c' = n (x - c) / (n - 1), spread and count updated."""
    d = sqdist(V, C)
    rows = np.arange(len(V))
    n = counts[a]
    gap = d[rows, a]
    S2 = np.broadcast_to(s2, d.shape).copy()
    Cn = np.broadcast_to(counts, d.shape).copy()
    d[rows, a] = gap * (n / (n - 1)) ** 2
    S2[rows, a] = np.maximum((n * s2[a] - gap * n / (n - 1)) / (n - 1), 0)
    Cn[rows, a] = n - 1
    return rule_score(d, S2, Cn, rule)


def loo_of_mean(Xin, H, a, C, s2, counts, W0, b0, rule):
    """Leave-one-out for hidden prototypes that are the hidden features of the input mean: the own group's input mean
    without the row, its hidden features, and the other members' mean squared distance to them."""
    d = sqdist(H, C)
    G = len(C)
    n = counts[a]
    rows = np.arange(len(H))
    Cin = np.zeros((G, Xin.shape[1]))
    np.add.at(Cin, a, Xin)
    Cin /= counts[:, None]
    hsum = np.zeros((G, H.shape[1]))
    np.add.at(hsum, a, H)
    hsq = np.zeros(G)
    np.add.at(hsq, a, (H * H).sum(1))
    without = (n[:, None] * Cin[a] - Xin) / np.maximum(n - 1, 1)[:, None]
    hw = np.tanh(without @ W0 + b0)
    other_sum = hsum[a] - H
    other_sq = hsq[a] - (H * H).sum(1)
    spread = np.maximum((other_sq - 2 * (hw * other_sum).sum(1) + (n - 1) * (hw * hw).sum(1)) / np.maximum(n - 1, 1), 0)
    S2 = np.broadcast_to(s2, d.shape).copy()
    Cn = np.broadcast_to(counts, d.shape).copy()
    d[rows, a] = ((H - hw) ** 2).sum(1)
    S2[rows, a] = spread
    Cn[rows, a] = n - 1
    return rule_score(d, S2, Cn, rule)


def z(tr, te):
    m, s = tr.mean(), tr.std()
    s = s if s > 1e-12 else 1
    return (tr - m) / s, (te - m) / s


def fpr(threshold_from, normal_scores, c=0.1):
    t = np.sort(threshold_from)[len(threshold_from) - 1 - int(math.floor(c * len(threshold_from) + 1e-9))]
    return (normal_scores > t).mean()


def main():
    global ALPHA, K
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--budgets", default="16,32,64,128,256,512,1024")
    ap.add_argument("--min-members", default="2,3,5")
    ap.add_argument("--rules", default="knn,spread,members")
    ap.add_argument("--cache", default="/tmp/proto-cache")
    ap.add_argument("--value-budget", type=int, default=0, help="budget in stored values: groups = clamp(V / (features + hidden units), 64, 4096); overrides --budgets")
    ap.add_argument("--alphas", default="1", help="weights of the spread (1: root mean squared distance to the members)")
    ap.add_argument("--ks", default="5", help="neighbours averaged")
    ap.add_argument("--methods", default="kmeans", help="grouping: kmeans (k-means, small groups dissolved) and/or mdav (exact sizes when n/m fits the budget)")
    ap.add_argument("--hidden", default="mean", help="hidden prototypes: mean (of the members' hidden features) and/or of-mean (the hidden features of the input mean)")
    a = ap.parse_args()
    os.makedirs(a.cache, exist_ok=True)
    seeds = [int(x) for x in a.seeds.split(",")]
    budgets = [int(x) for x in a.budgets.split(",")]
    mins = [int(x) for x in a.min_members.split(",")]
    rules = a.rules.split(",")
    results = {}  # config -> set -> list of (auc, fpr_in, fpr_loo)
    t0 = time.time()
    for name in a.sets.split(","):
        for s in seeds:
            Xtr, Xte, y = load(name, s)
            Htr, Hte = hidden(name, s, a.cache, Xtr, Xte)
            normal = y == 0
            K = 5
            tr_i, te_i = knn_rows(Xtr, Xtr, True), knn_rows(Xtr, Xte, False)
            tr_h, te_h = knn_rows(Htr, Htr, True), knn_rows(Htr, Hte, False)
            a_tr, a_te = z(tr_i, te_i)
            b_tr, b_te = z(tr_h, te_h)
            sc_tr, sc_te = a_tr + b_tr, a_te + b_te
            results.setdefault("rows", {}).setdefault(name, []).append(
                (roc_auc_score(y, sc_te), fpr(sc_tr, sc_te[normal]), fpr(sc_tr, sc_te[normal])))
            z_ = np.load(f"{a.cache}/{name}_s{s}.npz")
            for alpha, kk in [(float(x), int(y)) for x in a.alphas.split(",") for y in a.ks.split(",")]:
             ALPHA, K = alpha, kk
             for method in a.methods.split(","):
              for hid in a.hidden.split(","):
               for m in mins:
                for B in ([min(max(a.value_budget // (Xtr.shape[1] + Htr.shape[1]), 64), 4096)] if a.value_budget else budgets):
                    assign = groups(Xtr, B, m, seed=s, method=method)
                    for rule in rules:
                        parts_tr_in, parts_tr_loo, parts_te = [], [], []
                        for space, (Vtr, Vte) in enumerate(((Xtr, Xte), (Htr, Hte))):
                            C, s2, counts = summarize(Vtr.astype(np.float64), assign)
                            if space == 1 and hid == "of-mean":
                                Cin, _, _ = summarize(Xtr.astype(np.float64), assign)
                                C = np.tanh(Cin @ z_["W0"] + z_["b0"])
                                s2 = np.zeros(len(C))
                                np.add.at(s2, assign, ((Vtr - C[assign]) ** 2).sum(1))
                                s2 /= counts
                            if space == 1 and hid == "of-mean":
                                loo = loo_of_mean(Xtr.astype(np.float64), Vtr.astype(np.float64), assign, C, s2, counts, z_["W0"], z_["b0"], rule)
                            else:
                                loo = loo_scores(Vtr.astype(np.float64), assign, C, s2, counts, rule)
                            ingroup = proto_score(Vtr, C, s2, counts, rule)
                            te = proto_score(Vte, C, s2, counts, rule)
                            m_, sd = loo.mean(), loo.std() if loo.std() > 1e-12 else 1
                            parts_tr_loo.append((loo - m_) / sd)
                            parts_tr_in.append((ingroup - m_) / sd)
                            parts_te.append((te - m_) / sd)
                        te = sum(parts_te)
                        key = f"{rule} {method} hidden={hid} B={'V' + str(a.value_budget) if a.value_budget else B} m={m} alpha={alpha} k={kk}"
                        results.setdefault(key, {}).setdefault(name, []).append(
                            (roc_auc_score(y, te), fpr(sum(parts_tr_in), te[normal]), fpr(sum(parts_tr_loo), te[normal])))
            print(f"[{time.time() - t0:.0f}s] {name} seed {s} ({len(Xtr)} rows): rows {results['rows'][name][-1][0]:.4f}", flush=True)
    sets = a.sets.split(",")
    print()
    print("| config | " + " | ".join(sets) + " | mean AUC | FPR (in-group thr.) | FPR (LOO thr.) |")
    print("|---|" + "---|" * (len(sets) + 3))
    for key, per in results.items():
        aucs = [np.mean([r[0] for r in per[n]]) for n in sets]
        f_in = np.mean([r[1] for n in sets for r in per[n]])
        f_loo = np.mean([r[2] for n in sets for r in per[n]])
        print(f"| {key} | " + " | ".join(f"{v:.4f}" for v in aucs) + f" | **{np.mean(aucs):.4f}** | {f_in:.3f} | {f_loo:.3f} |")


if __name__ == "__main__":
    main()
