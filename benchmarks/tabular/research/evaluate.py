"""Scores the cached autoencoders (train_models.py) on the VALIDATION protocol with every candidate score.

usage: /usr/bin/python3 evaluate.py --seeds 0,1,2 [--sets a,b] [--cache DIR] [--out results_s012.csv]

Everything a score needs comes from the FIT rows (train.csv) only:
  mse      mean over features of the squared error (standardized space) -- the library's score
  nmean    mean_j e_j / m_j,  m_j = mean over FIT rows of e_j            (d stored floats)
  nmed     same with m_j = median over FIT rows of e_j
  rmse     sqrt(mse) (same ranking as mse; only matters inside a sum)
  maha     Mahalanobis distance of the code to the FIT codes' mean / covariance + ridge 1e-3 * trace / k
  lknn     mean Euclidean distance to the 5 nearest FIT codes (FIT rows' own value: leave-one-out)
  iknn     mean Euclidean distance to the 5 nearest FIT rows in input space (= the k-NN baseline; leave-one-out on FIT)
  A+B      a sum of terms, each first divided by its FIT-row median ("med") or z-scored with its FIT mean/std ("z")
  _cN      lknn / iknn with the stored reference rows capped at N (a random subsample of FIT); FIT-row values:
           leave-one-out for the stored rows, a plain query for the other FIT rows
Ensembles (member = "ensz" / "ensmad"): every member's score z-scored with its own FIT-row mean/std (or median/MAD),
then averaged over the 5 members.
Single-model rows (member m0..m4) are averaged over the 5 init seeds when tables are made (report.py).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score, average_precision_score
from sklearn.neighbors import NearestNeighbors
from aelib import load, Stack

SETS = ["shuttle", "satellite", "letter", "digits", "vehicle", "breastw", "pima", "wdbc", "ionosphere", "glass",
        "wine", "sonar"]
CAPS = (2048, 4096)


def knn_scores(ref, q, k=5, loo_ref=True):
    """Mean distance of q's rows to their k nearest ref rows; and for ref rows themselves, leave-one-out."""
    nn = NearestNeighbors(n_neighbors=k + 1).fit(ref)
    dq, _ = nn.kneighbors(q, n_neighbors=k)
    dr, _ = nn.kneighbors(ref, n_neighbors=k + 1)
    return dr[:, 1:].mean(1), dq.mean(1)


def knn_scores_capped(X, idx, q, k=5):
    """Reference = X[idx] (the stored rows). FIT-row values for all of X: leave-one-out for stored rows, a plain
    query for the others; and the test rows' values."""
    if len(idx) == len(X):
        return knn_scores(X, q, k)
    ref = X[idx]
    nn = NearestNeighbors(n_neighbors=k + 1).fit(ref)
    dq, _ = nn.kneighbors(q, n_neighbors=k)
    tr = np.empty(len(X))
    dr, _ = nn.kneighbors(ref, n_neighbors=k + 1)
    tr[idx] = dr[:, 1:].mean(1)
    rest = np.setdiff1d(np.arange(len(X)), idx)
    do, _ = nn.kneighbors(X[rest], n_neighbors=k)
    tr[rest] = do.mean(1)
    return tr, dq.mean(1)


def med(t):
    m = np.median(t)
    return m if m > 0 else max(t.mean(), 1e-12)


def norm(tr, te, how):
    if how == "med":
        m = med(tr)
        return tr / m, te / m
    mu, sd = tr.mean(), tr.std() + 1e-12
    return (tr - mu) / sd, (te - mu) / sd


def member_terms(E_tr, E_te, Z_tr, Z_te, fmask, k, caps_idx):
    """Per-member terms as (train, test) pairs."""
    seen = fmask > 0
    dm = seen.sum()
    T = {}
    T["mse"] = (E_tr[:, seen].mean(1), E_te[:, seen].mean(1))
    T["rmse"] = (np.sqrt(T["mse"][0]), np.sqrt(T["mse"][1]))
    for nm, f in (("nmean", np.mean), ("nmed", np.median)):
        m = f(E_tr[:, seen], axis=0)
        m = np.maximum(m, 1e-12 * max(m.max(), 1e-12))
        m = np.where(m > 0, m, 1.0)
        T[nm] = ((E_tr[:, seen] / m).mean(1), (E_te[:, seen] / m).mean(1))
    z_tr, z_te = Z_tr[:, :k].astype(np.float64), Z_te[:, :k].astype(np.float64)
    mu = z_tr.mean(0)
    C = np.cov(z_tr, rowvar=False).reshape(k, k)
    C = C + 1e-3 * np.trace(C) / k * np.eye(k)
    P = np.linalg.inv(C)
    md = lambda z: np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", z - mu, P, z - mu), 0))
    T["maha"] = (md(z_tr), md(z_te))
    T["lknn"] = knn_scores(z_tr, z_te)
    for cap, idx in caps_idx.items():
        T[f"lknn_c{cap}"] = knn_scores_capped(z_tr, idx, z_te)
    return T


def candidates(T, I):
    """All candidate scores from a member's terms T and the input-kNN terms I; (train, test) pairs."""
    C = {}
    for a in ("mse", "nmean", "nmed", "maha", "lknn"):
        C[a] = T[a]
    C["iknn"] = I["iknn"]
    for how in ("med", "z"):
        for a in ("mse", "rmse", "nmean"):
            for b in ("maha", "lknn", "iknn"):
                if a == "rmse" and how == "z":
                    continue
                ta, tb = norm(*T[a], how), norm(*(I[b] if b == "iknn" else T[b]), how)
                C[f"{a}+{b}.{how}"] = (ta[0] + tb[0], ta[1] + tb[1])
        for combo in (("nmean", "lknn", "iknn"), ("mse", "lknn", "iknn"), ("nmean", "maha", "iknn"),
                      ("lknn", "iknn"), ("maha", "lknn"), ("nmean", "maha", "lknn")):
            parts = [norm(*(I[c] if c == "iknn" else T[c]), how) for c in combo]
            C["+".join(combo) + "." + how] = (sum(p[0] for p in parts), sum(p[1] for p in parts))
    # capped reference sets
    for cap in CAPS:
        if f"lknn_c{cap}" in T:
            C[f"lknn_c{cap}"] = T[f"lknn_c{cap}"]
            C[f"iknn_c{cap}"] = I[f"iknn_c{cap}"]
            for how in ("med", "z"):
                for a in ("mse", "nmean"):
                    ta = norm(*T[a], how)
                    for b in ("lknn", "iknn"):
                        tb = norm(*(I[f"iknn_c{cap}"] if b == "iknn" else T[f"lknn_c{cap}"]), how)
                        C[f"{a}+{b}_c{cap}.{how}"] = (ta[0] + tb[0], ta[1] + tb[1])
    return C


def evaluate(name, s, cache):
    Xtr, Xte, y = load(name, s)
    N = len(Xtr)
    c = torch.load(f"{cache}/{name}_s{s}.pt")
    rng = np.random.default_rng(777 + s)
    caps_idx = {cap: (np.sort(rng.choice(N, cap, replace=False)) if N > cap else np.arange(N)) for cap in CAPS}
    I = {"iknn": knn_scores(Xtr, Xte)}
    for cap, idx in caps_idx.items():
        I[f"iknn_c{cap}"] = knn_scores_capped(Xtr, idx, Xte)
    rows = []

    def rec(config, memb, C):
        for cand, (_, te) in C.items():
            rows.append(dict(set=name, seed=s, config=config, member=memb, cand=cand,
                             auc=roc_auc_score(y, te), ap=average_precision_score(y, te)))

    def run_config(config, group, snap, prefix, with_caps=False):
        if group not in c:
            return
        g = c[group]
        sel = [i for i, n in enumerate(g["names"]) if n.startswith(prefix)]
        if not sel or snap not in g["snaps"]:
            return
        st = Stack([g["specs"][i] for i in sel], Xtr.shape[1], H=max(sp["h"] for sp in g["specs"]),
                   K=max(sp["k"] for sp in g["specs"]))
        st.load([p[sel] for p in g["snaps"][snap]])
        E_tr, Z_tr = st.errors_codes(Xtr)
        E_te, Z_te = st.errors_codes(Xte)
        per = []
        for j, i in enumerate(sel):
            T = member_terms(E_tr[j], E_te[j], Z_tr[j], Z_te[j], st.fm[j].numpy(), g["specs"][i]["k"],
                             caps_idx if with_caps else {})
            C = candidates(T, I)
            rec(config, f"m{j}", C)
            per.append(C)
        for how in ("z", "mad"):
            E = {}
            for cand in per[0]:
                acc_tr, acc_te = 0, 0
                for C in per:
                    tr, te = C[cand]
                    if how == "z":
                        mu, sd = tr.mean(), tr.std() + 1e-12
                    else:
                        mu = np.median(tr)
                        sd = np.median(np.abs(tr - mu)) * 1.4826 + 1e-12
                    acc_tr = acc_tr + (tr - mu) / sd
                    acc_te = acc_te + (te - mu) / sd
                E[cand] = (acc_tr / len(per), acc_te / len(per))
            rec(config, f"ens{how}", E)

    run_config("base@100", "main", 100, "base", with_caps=True)
    for ep in (10, 25, 50):
        run_config(f"base@{ep}", "main", ep, "base")
    for sg in (0.1, 0.3, 0.5):
        run_config(f"dn{sg}@100", "main", 100, f"dn{sg}_")
    run_config("rand@100", "main", 100, "rand")
    run_config("fb@100", "main", 100, "fb")
    for es in ("es10", "es20"):
        run_config(es, es, "best", "base")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--cache", default="/tmp/ae-research-cache")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), f"results_s{a.seeds.replace(',', '')}.csv")
    allrows = []
    for s in [int(x) for x in a.seeds.split(",")]:
        for name in a.sets.split(","):
            t = time.time()
            allrows += evaluate(name, s, a.cache)
            print(name, s, f"{time.time() - t:.1f}s", flush=True)
    pd.DataFrame(allrows).to_csv(out, index=False, float_format="%.6f")
    print("wrote", out)
