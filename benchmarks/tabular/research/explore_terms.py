"""Seventh round: a third term for the default score, z(input 5-NN) + z(hidden-layer 5-NN), that sees the breast-cancer
data's anomalies (rows extreme along the normal rows' main directions) without costing the other sets.

Three families, each added to the default with a weight, z-normalized on the FIT rows like the others:
  * the autoencoder's own reconstruction error — "mse" (mean squared error, standardized units) and "nmean" (each
    feature's squared error divided by its mean over the FIT rows, averaged over the features; what the library's
    NeighborReconstructionWeight adds), weights 0.1 / 0.2 / 0.3 / 0.5, z- or log-normalized;
  * a gated distance from the centre: w · max(0, z(centre distance) − t), the centre distance being the mean squared
    z-score ("zsq") or a Ledoit-Wolf Mahalanobis distance ("maha"), so that only rows beyond the normal rows' usual
    distance from the centre pay, t = 0..3, w = 0.5 / 1 / 2; and "tail", the features' excess beyond their FIT rows'
    1st and 99th percentiles (in standard deviations, summed), w = 0.25 / 0.5 / 1;
  * the distance from a row to the mean of its k nearest FIT rows ("ioff", k = 5 / 10 / 20; a boundary row's neighbours
    all lie inward, an inner row's surround it).
Validation protocol only (`test/` folders never read), the cached reference autoencoders of train_models.py (base@100,
member 0: the library's default network and training).

usage: /usr/bin/python3 explore_terms.py [--seeds 0,1,2,3,4] [--out FILE]   (about 4 minutes)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score, average_precision_score
from sklearn.neighbors import NearestNeighbors
from aelib import load
from evaluate import knn_scores
from explore_combos import normed, terms_for
from explore_density import study_arguments, summarize


def neighbor_offset(ref, q, k):
    """Distance from each row to the mean of its k nearest ref rows (leave-one-out for the ref rows themselves)."""
    nn = NearestNeighbors(n_neighbors=k + 1).fit(ref)
    _, iq = nn.kneighbors(q, n_neighbors=k)
    _, ir = nn.kneighbors(ref, n_neighbors=k + 1)
    return np.linalg.norm(ref - ref[ir[:, 1:]].mean(1), axis=1), np.linalg.norm(q - ref[iq].mean(1), axis=1)


def tail(Xtr, X):
    lo, hi = np.quantile(Xtr, 0.01, axis=0), np.quantile(Xtr, 0.99, axis=0)
    return ((np.maximum(X - hi, 0) + np.maximum(lo - X, 0)) / (Xtr.std(0) + 1e-9)).sum(1)


def candidates(name, s, cache):
    Xtr, Xte, y = load(name, s)
    T = terms_for(name, s, cache, "base@100", {}, {})[0][0]
    base = normed(knn_scores(Xtr, Xte), "z")[1] + normed(T["h1knn"], "z")[1]
    C = {"default": base, "nmean": T["nmean"][1], "zsq": ((Xte ** 2).mean(1))}
    for t in ("nmean", "mse"):
        for how in ("z", "log"):
            term = normed(T[t], how)[1]
            for w in (0.1, 0.2, 0.3, 0.5):
                C[f"default+{w}*{t}.{how}"] = base + w * term
    zsq = normed(((Xtr ** 2).mean(1), (Xte ** 2).mean(1)), "z")[1]
    lw = LedoitWolf().fit(Xtr)
    maha = normed((lw.mahalanobis(Xtr), lw.mahalanobis(Xte)), "z")[1]
    for t in (0, 1, 2, 3):
        for w in (0.5, 1.0, 2.0):
            C[f"default+{w}*max(0,zsq-{t})"] = base + w * np.maximum(zsq - t, 0)
            C[f"default+{w}*max(0,maha-{t})"] = base + w * np.maximum(maha - t, 0)
    excess = normed((tail(Xtr, Xtr), tail(Xtr, Xte)), "z")[1]
    for w in (0.25, 0.5, 1.0):
        C[f"default+{w}*tail"] = base + w * excess
    for k in (5, 10, 20):
        offset = normed(neighbor_offset(Xtr, Xte, k), "z")[1]
        C[f"default+ioff{k}"] = base + offset
        C[f"default+0.5*ioff{k}"] = base + 0.5 * offset
    return C, y


def main():
    a = study_arguments()
    rows = []
    for s in [int(x) for x in a.seeds.split(",")]:
        for name in a.sets.split(","):
            C, y = candidates(name, s, a.cache)
            for cand, te in C.items():
                rows.append(dict(set=name, seed=s, cand=cand, auc=roc_auc_score(y, te), ap=average_precision_score(y, te)))
        print("seed", s, flush=True)
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "terms_s" + a.seeds.replace(",", "") + ".csv")
    summarize(rows, out, "default")


if __name__ == "__main__":
    main()
