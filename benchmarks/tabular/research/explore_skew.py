"""Fifth round: would a per-feature transform of right-skewed features help the nearest-neighbour score?

The breast-cancer features (areas, perimeters, concavities) are positive and right-skewed: in standardized units the
benign rows' long tail puts malignant rows near some benign ones. This compares, for the input 5-NN distance alone (the
part of the default score that does most of the work), the suite's standardization with two transforms fitted on the
FIT rows only: `log` — log(1 + x / median of its positive values) for every feature whose FIT values are all ≥ 0 with
skewness > 1, then standardization — and scikit-learn's Yeo-Johnson `PowerTransformer` on every feature. The naive
mean squared z-score is listed for reference. Raw values come from prepare.py's loaders with its validation splits
(`test/` rows never read); no autoencoder is involved, so the answer is about the input term only.

usage: /usr/bin/python3 explore_skew.py   (about 1 minute)
"""
import os
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import PowerTransformer

import prepare

warnings.filterwarnings("ignore")


def knn(train, query, k=5):
    return NearestNeighbors(n_neighbors=k).fit(train).kneighbors(query)[0].mean(1)


def standardize(train, query):
    mean, std = train.mean(0), train.std(0)
    std[std < prepare.STD_FLOOR] = 1
    return (train - mean) / std, (query - mean) / std


def log_skewed(train, query):
    train, query = train.copy(), query.copy()
    for j in range(train.shape[1]):
        col = train[:, j]
        skew = ((col - col.mean()) ** 3).mean() / (col.std() ** 3 + 1e-12)
        if col.min() >= 0 and skew > 1:
            c = np.median(col[col > 0]) if (col > 0).any() else 1.0
            train[:, j] = np.log1p(col / c)
            query[:, j] = np.log1p(np.maximum(query[:, j], 0) / c)
    return standardize(train, query)


def yeo_johnson(train, query):
    pt = PowerTransformer().fit(train)
    return np.nan_to_num(pt.transform(train)), np.nan_to_num(pt.transform(query))


def compare(candidates):
    """Prints the AUC table (mean over seeds, per set, then the mean over sets) of `candidates`: name -> f(train, query)
    giving the query rows' scores from the raw FIT rows `train`, on each set's validation splits."""
    results = {}
    for spec in prepare.SUITE:
        X, y, _ = spec["load"]("auto")
        X = X.astype(np.float64)
        for seed in prepare.SEEDS:
            fit, held = prepare.splits(y, seed)["validation"]
            train, query, labels = X[fit], X[held], y[held]
            for name, score in candidates.items():
                results.setdefault(name, {}).setdefault(spec["name"], []).append(roc_auc_score(labels, score(train, query)))
        print(spec["name"], flush=True)
    sets = [s["name"] for s in prepare.SUITE]
    print("| candidate | " + " | ".join(sets) + " | mean |")
    print("|---|" + "---:|" * (len(sets) + 1))
    for name, per_set in results.items():
        means = [np.mean(per_set[s]) for s in sets]
        print(f"| {name} | " + " | ".join(f"{m:.4f}" for m in means) + f" | **{np.mean(means):.4f}** |")


def zsq(train, query):
    """The naive score: mean squared z-score under the FIT rows' standardization."""
    return (standardize(train, query)[1] ** 2).mean(1)


def main():
    compare({"knn (the suite's standardization)": lambda t, q: knn(*standardize(t, q)), "mean squared z-score": zsq,
             "knn after log of skewed features": lambda t, q: knn(*log_skewed(t, q)),
             "knn after Yeo-Johnson": lambda t, q: knn(*yeo_johnson(t, q))})


if __name__ == "__main__":
    main()
