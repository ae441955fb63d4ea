"""Fourth round: how many neighbours should the default score average, and should that number grow with the data?

The default score is z(input k-NN) + z(hidden-layer k-NN) with k = 5. With few training rows a 5-NN distance is noisy,
and as k grows the mean distance to the k nearest rows tends to the mean distance to all rows, a distance from the
centre (the breast-cancer example's naive z-score is such a distance). This tries fixed k = 3, 5, 10, 20 and k growing
with the number of FIT rows n (√n / 2, √n, n / 50, each at least 5), for both terms together. Validation protocol only
(`test/` folders never read), the cached reference autoencoders of train_models.py (base@100, member 0).

usage: /usr/bin/python3 explore_k.py [--seeds 0,1,2,3,4] [--out FILE]
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
from sklearn.metrics import roc_auc_score, average_precision_score
from aelib import load
from evaluate import knn_scores
from explore_combos import normed
from explore_density import hidden_rows, study_arguments, summarize


RULES = {
    "k3": lambda n: 3, "k5": lambda n: 5, "k10": lambda n: 10, "k20": lambda n: 20,
    "sqrt/2": lambda n: max(5, int(round(np.sqrt(n) / 2))), "sqrt": lambda n: max(5, int(round(np.sqrt(n)))),
    "n/50": lambda n: max(5, n // 50),
}


def main():
    a = study_arguments()
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
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "neighbors_s" + a.seeds.replace(",", "") + ".csv")
    summarize(rows, out, "iknn+h1knn k5")


if __name__ == "__main__":
    main()
