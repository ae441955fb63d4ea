"""Third round: does a distance-from-the-centre term help the default score (z(input 5-NN) + z(hidden-layer 5-NN))?

The README's breast-cancer example loses to a naive detector that scores a row by its mean squared z-score, i.e. its
distance from the training mean in standardized space: malignant tumours are extreme along the normal rows' main
direction, where they still have near neighbours. This adds such a term, z-normalized on the FIT rows like the others,
with weights 0.25 / 0.5 / 1, either as the mean squared z-score ("zsq") or as the Mahalanobis distance under a
shrunk covariance of the FIT rows ("maha"). Validation protocol only (the `test/` folders are never read), the cached
reference autoencoders of train_models.py (base@100, member 0: the library's default network and training).

usage: /usr/bin/python3 explore_density.py [--seeds 0,1,2,3,4] [--out FILE]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import pandas as pd
import torch
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score, average_precision_score
from aelib import load, Stack
from evaluate import knn_scores, SETS
from explore_combos import hidden, normed, CONFIGS


def hidden_rows(name, s, cache, Xtr, Xte):
    """The first hidden layer of the reference model (init seed 0, 100 epochs) for the FIT and validation rows."""
    c = torch.load(f"{cache}/{name}_s{s}.pt")
    group, snap, prefix = CONFIGS["base@100"]
    g = c[group]
    sel = [i for i, n in enumerate(g["names"]) if n.startswith(prefix)][:1]
    st = Stack([g["specs"][i] for i in sel], Xtr.shape[1], H=max(sp["h"] for sp in g["specs"]),
               K=max(sp["k"] for sp in g["specs"]))
    st.load([p[sel] for p in g["snaps"][snap]])
    h = g["specs"][sel[0]]["h"]
    H_tr, _ = hidden(st, Xtr)
    H_te, _ = hidden(st, Xte)
    return H_tr[0][:, :h], H_te[0][:, :h]


def hidden_knn(name, s, cache, Xtr, Xte):
    """5-NN distance in the first hidden layer of the reference model (init seed 0, 100 epochs)."""
    return knn_scores(*hidden_rows(name, s, cache, Xtr, Xte))


def study_arguments():
    """The options every round-3-and-later study takes: --seeds, --sets, --cache, --out."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--cache", default="/tmp/ae-research-cache")
    ap.add_argument("--out", default=None)
    return ap.parse_args()


def main():
    a = study_arguments()
    rows = []
    for s in [int(x) for x in a.seeds.split(",")]:
        for name in a.sets.split(","):
            t0 = time.time()
            Xtr, Xte, y = load(name, s)
            iknn = normed(knn_scores(Xtr, Xte), "z")
            h1 = normed(hidden_knn(name, s, a.cache, Xtr, Xte), "z")
            zsq = normed(((Xtr ** 2).mean(1), (Xte ** 2).mean(1)), "z")
            lw = LedoitWolf().fit(Xtr)
            maha = normed((lw.mahalanobis(Xtr), lw.mahalanobis(Xte)), "z")
            C = {"iknn": iknn[1], "iknn+h1knn": iknn[1] + h1[1], "zsq": zsq[1], "maha": maha[1]}
            for w in (0.25, 0.5, 1.0):
                C[f"iknn+h1knn+{w}*zsq"] = iknn[1] + h1[1] + w * zsq[1]
                C[f"iknn+h1knn+{w}*maha"] = iknn[1] + h1[1] + w * maha[1]
            for cand, te in C.items():
                rows.append(dict(set=name, seed=s, cand=cand, auc=roc_auc_score(y, te), ap=average_precision_score(y, te)))
            print(name, s, f"{time.time() - t0:.1f}s", flush=True)
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "density_s" + a.seeds.replace(",", "") + ".csv")
    summarize(rows, out, "iknn+h1knn")


def summarize(rows, out, baseline):
    """Writes the rows to out and prints the per-set AUC table and, per candidate, the (set, seed) wins over baseline."""
    df = pd.DataFrame(rows)
    df.to_csv(out, index=False, float_format="%.6f")
    per_set = df.groupby(["cand", "set"]).auc.mean().unstack()
    table = per_set.assign(mean=per_set.mean(1)).sort_values("mean", ascending=False)
    pd.set_option("display.width", 250)
    print(table.round(4).to_string())
    wins = df.pivot_table(index=["set", "seed"], columns="cand", values="auc")
    print(f"\nseeds x sets where each candidate beats {baseline}:")
    print((wins.sub(wins[baseline], axis=0) > 0).sum().sort_values(ascending=False).to_string())
    print("wrote", out)


if __name__ == "__main__":
    main()
