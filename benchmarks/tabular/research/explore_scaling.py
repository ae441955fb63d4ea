"""Sixth round: would another scaling of the features let the input nearest-neighbour distance see what the naive
z-score sees on the breast-cancer data (wdbc)?

Input 5-NN alone, as in round 5 (explore_skew.py), on the validation splits (`test/` rows never read), raw values from
prepare.py's loaders, every statistic from the FIT rows. Candidates: the suite's standardization (mean, standard
deviation); robust scaling by the median and the interquartile range, or by the median and 1.4826 × the median absolute
deviation (a feature whose robust scale is ~0 falls back to its standard deviation); and whitening (the distance under the
standardized FIT rows' covariance, shrunk towards its mean eigenvalue by 0.1 or 0.5: a Mahalanobis nearest-neighbour
distance). The mean squared z-score is listed for reference.

usage: /usr/bin/python3 explore_scaling.py   (about 1 minute)
"""
import os
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy as np

import prepare
from explore_skew import compare, knn, standardize, zsq

warnings.filterwarnings("ignore")


def robust(train, query, kind):
    med = np.median(train, 0)
    if kind == "iqr":
        s = np.percentile(train, 75, 0) - np.percentile(train, 25, 0)
    else:
        s = np.median(np.abs(train - med), 0) * 1.4826
    sd = train.std(0)
    s = np.where(s < 1e-3 * np.maximum(sd, 1e-12), sd, s)
    s[s < prepare.STD_FLOOR] = 1
    return (train - med) / s, (query - med) / s


def whiten(train, query, shrink):
    a, b = standardize(train, query)
    cov = np.cov(a, rowvar=False)
    d = cov.shape[0]
    cov = (1 - shrink) * cov + shrink * np.trace(cov) / d * np.eye(d)
    w, v = np.linalg.eigh(cov)
    m = v / np.sqrt(np.maximum(w, 1e-9))
    return a @ m, b @ m


def main():
    compare({"knn (the suite's standardization)": lambda t, q: knn(*standardize(t, q)), "mean squared z-score": zsq,
             "knn, median / IQR": lambda t, q: knn(*robust(t, q, "iqr")),
             "knn, median / MAD": lambda t, q: knn(*robust(t, q, "mad")),
             "knn, whitened (shrinkage 0.1)": lambda t, q: knn(*whiten(t, q, 0.1)),
             "knn, whitened (shrinkage 0.5)": lambda t, q: knn(*whiten(t, q, 0.5))})


if __name__ == "__main__":
    main()
