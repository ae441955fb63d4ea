"""Second round: combination RULES and WEIGHTS for input-space k-NN + an autoencoder term (and a few other ideas),
on the cached reference autoencoders (base@100 and the other configs), validation protocol only.

usage: /usr/bin/python3 explore_combos.py --seeds 0 [--configs base@100,dn0.1@100] [--out FILE]

Terms per member: iknn (input 5-NN, leave-one-out on FIT), mse, nmean, lknn (code 5-NN), plus
  h1knn  5-NN distance in the encoder's hidden layer (Tanh, h units) -- an "AE feature space" variant
         (config "init": the same networks untrained, i.e. a random Tanh feature map)
  _cN    the stored reference rows capped at N (same random subsets as evaluate.py)
Normalizations (statistics of the FIT rows only): z (mean/std), med (divide by median), mad ((t-median)/MAD),
log (log(t / median)). Combination: iknn_n + w * A_n, or max(iknn_n, A_n).
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
from aelib import load, Stack
from evaluate import knn_scores, knn_scores_capped, SETS, CAPS

CONFIGS = {"init": ("main", None, "base"), "base@100": ("main", 100, "base"), "base@50": ("main", 50, "base"),
           "base@10": ("main", 10, "base"), "base@25": ("main", 25, "base"), "dn0.5@100": ("main", 100, "dn0.5_"), "es10": ("es10", "best", "base"),
           "dn0.1@100": ("main", 100, "dn0.1_"), "dn0.3@100": ("main", 100, "dn0.3_"), "rand@100": ("main", 100, "rand"),
           "fb@100": ("main", 100, "fb")}


def normed(t, how):
    tr, te = t
    if how == "z":
        mu, sd = tr.mean(), tr.std() + 1e-12
        return (tr - mu) / sd, (te - mu) / sd
    m = np.median(tr)
    m = m if m > 0 else max(tr.mean(), 1e-12)
    if how == "med":
        return tr / m, te / m
    if how == "mad":
        s = np.median(np.abs(tr - m)) * 1.4826 + 1e-12
        return (tr - m) / s, (te - m) / s
    if how == "log":
        return np.log(np.maximum(tr, 1e-12) / m), np.log(np.maximum(te, 1e-12) / m)
    raise ValueError(how)


@torch.no_grad()
def hidden(st, X):
    x = torch.from_numpy(X).unsqueeze(0).expand(st.M, -1, -1) * st.fm[:, None, :]
    a = torch.tanh(torch.baddbmm(st.b[0][:, None, :], x, st.W[0])) * st.hm[:, None, :]
    z = torch.baddbmm(st.b[1][:, None, :], a, st.W[1]) * st.km[:, None, :]
    a2 = torch.tanh(torch.baddbmm(st.b[2][:, None, :], z, st.W[2])) * st.hm[:, None, :]
    return a.numpy(), a2.numpy()


def terms_for(name, s, cache, config, I, caps_idx):
    Xtr, Xte, y = load(name, s)
    c = torch.load(f"{cache}/{name}_s{s}.pt")
    group, snap, prefix = CONFIGS[config]
    g = c[group]
    sel = [i for i, n in enumerate(g["names"]) if n.startswith(prefix)]
    st = Stack([g["specs"][i] for i in sel], Xtr.shape[1], H=max(sp["h"] for sp in g["specs"]),
               K=max(sp["k"] for sp in g["specs"]))
    if snap is not None:  # "init": the untrained networks (PyTorch default init, same seeds)
        st.load([p[sel] for p in g["snaps"][snap]])
    E_tr, Z_tr = st.errors_codes(Xtr)
    E_te, Z_te = st.errors_codes(Xte)
    H1_tr, H2_tr = hidden(st, Xtr)
    H1_te, H2_te = hidden(st, Xte)
    out = []
    for j, i in enumerate(sel):
        seen = st.fm[j].numpy() > 0
        k, h = g["specs"][i]["k"], g["specs"][i]["h"]
        T = dict(I)
        T["mse"] = (E_tr[j][:, seen].mean(1), E_te[j][:, seen].mean(1))
        m = E_tr[j][:, seen].mean(0)
        m = np.where(m > 0, m, 1.0)
        T["nmean"] = ((E_tr[j][:, seen] / m).mean(1), (E_te[j][:, seen] / m).mean(1))
        T["lknn"] = knn_scores(Z_tr[j][:, :k], Z_te[j][:, :k])
        T["h1knn"] = knn_scores(H1_tr[j][:, :h], H1_te[j][:, :h])
        for cap, idx in caps_idx.items():
            T[f"h1knn_c{cap}"] = knn_scores_capped(H1_tr[j][:, :h], idx, H1_te[j][:, :h])
        out.append(T)
    return out, y


def combos(T):
    C = {}
    for t in ("iknn", "mse", "nmean", "lknn", "h1knn"):
        C[t] = T[t]
    for cap in CAPS:
        C[f"iknn_c{cap}"] = T[f"iknn_c{cap}"]
        C[f"h1knn_c{cap}"] = T[f"h1knn_c{cap}"]
        a, b = normed(T[f"iknn_c{cap}"], "z"), normed(T[f"h1knn_c{cap}"], "z")
        C[f"iknn+1.0*h1knn_c{cap}.z"] = (a[0] + b[0], a[1] + b[1])
    for how in ("z", "med", "mad", "log"):
        base = normed(T["iknn"], how)
        for a in ("mse", "nmean", "lknn", "h1knn"):
            other = normed(T[a], how)
            for w in (0.1, 0.25, 0.5, 1.0):
                C[f"iknn+{w}*{a}.{how}"] = (base[0] + w * other[0], base[1] + w * other[1])
            C[f"max(iknn,{a}).{how}"] = (np.maximum(base[0], other[0]), np.maximum(base[1], other[1]))
        for w in (0.25, 0.5, 1.0):
            a, b = normed(T["nmean"], how), normed(T["lknn"], how)
            C[f"iknn+{w}*(nmean+lknn).{how}"] = (base[0] + w * (a[0] + b[0]), base[1] + w * (a[1] + b[1]))
    return C


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--configs", default="base@100")
    ap.add_argument("--cache", default="/tmp/ae-research-cache")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    rows = []
    for s in [int(x) for x in a.seeds.split(",")]:
        for name in a.sets.split(","):
            t0 = time.time()
            Xtr, Xte, _ = load(name, s)
            I = {"iknn": knn_scores(Xtr, Xte)}
            rng = np.random.default_rng(777 + s)  # the same capped subsets as evaluate.py
            N = len(Xtr)
            caps_idx = {cap: (np.sort(rng.choice(N, cap, replace=False)) if N > cap else np.arange(N)) for cap in CAPS}
            for cap, idx in caps_idx.items():
                I[f"iknn_c{cap}"] = knn_scores_capped(Xtr, idx, Xte)
            for config in a.configs.split(","):
                per, y = terms_for(name, s, a.cache, config, I, caps_idx)
                Cs = [combos(T) for T in per]
                for j, C in enumerate(Cs):
                    for cand, (_, te) in C.items():
                        rows.append(dict(set=name, seed=s, config=config, member=f"m{j}", cand=cand,
                                         auc=roc_auc_score(y, te), ap=average_precision_score(y, te)))
                for cand in Cs[0]:
                    acc = 0
                    for C in Cs:
                        tr, te = C[cand]
                        acc = acc + (te - tr.mean()) / (tr.std() + 1e-12)
                    rows.append(dict(set=name, seed=s, config=config, member="ensz", cand=cand,
                                     auc=roc_auc_score(y, acc), ap=average_precision_score(y, acc)))
            print(name, s, f"{time.time() - t0:.1f}s", flush=True)
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), f"combos_s{a.seeds.replace(',', '')}.csv")
    pd.DataFrame(rows).to_csv(out, index=False, float_format="%.6f")
    print("wrote", out)


if __name__ == "__main__":
    main()
