"""Fourth round: how many neighbours should the default score average, and should that number grow with the data?

The default score is z(input k-NN) + z(hidden-layer k-NN) with k = 5. With few training rows a 5-NN distance is noisy,
and as k grows the mean distance to the k nearest rows tends to the mean distance to all rows, a distance from the
centre (the breast-cancer example's naive z-score is such a distance). This tries fixed k = 3, 5, 10, 20 and k growing
with the number of FIT rows n (√n / 2, √n, n / 50, each at least 5), for both terms together. Validation protocol only
(`test/` folders never read), the cached reference autoencoders of train_models.py (base@100, member 0).

usage: /usr/bin/python3 explore_k.py [--seeds 0,1,2,3,4] [--out FILE]
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


RULES = {
    "k3": lambda n: 3, "k5": lambda n: 5, "k10": lambda n: 10, "k20": lambda n: 20,
    "sqrt/2": lambda n: max(5, int(round(np.sqrt(n) / 2))), "sqrt": lambda n: max(5, int(round(np.sqrt(n)))),
    "n/50": lambda n: max(5, n // 50),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--cache", default="/tmp/ae-research-cache")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    rows = []
    for s in [int(x) for x in a.seeds.split(",")]:
        for name in a.sets.split(","):
            t0 = time.time()
            Xtr, Xte, y = load(name, s)
            Htr, Hte = hidden_rows(name, s, a.cache, Xtr, Xte)
            for rule, k_of in RULES.items():
                k = min(k_of(len(Xtr)), len(Xtr) - 1)
                iknn = normed(knn_scores(Xtr, Xte, k), "z")
                h1 = normed(knn_scores(Htr, Hte, k), "z")
                for cand, te in {f"iknn+h1knn {rule}": iknn[1] + h1[1], f"iknn {rule}": iknn[1]}.items():
                    rows.append(dict(set=name, seed=s, cand=cand, k=k, auc=roc_auc_score(y, te), ap=average_precision_score(y, te)))
            print(name, s, len(Xtr), f"{time.time() - t0:.1f}s", flush=True)
    df = pd.DataFrame(rows)
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "neighbors_s" + a.seeds.replace(",", "") + ".csv")
    df.to_csv(out, index=False, float_format="%.6f")
    per_set = df.groupby(["cand", "set"]).auc.mean().unstack()
    table = per_set.assign(mean=per_set.mean(1)).sort_values("mean", ascending=False)
    pd.set_option("display.width", 250)
    print(table.round(4).to_string())
    wins = df.pivot_table(index=["set", "seed"], columns="cand", values="auc")
    print("\nseeds x sets where each candidate beats iknn+h1knn k5:")
    print((wins.sub(wins["iknn+h1knn k5"], axis=0) > 0).sum().sort_values(ascending=False).to_string())
    print("wrote", out)


if __name__ == "__main__":
    main()
