"""A second image data set for the edge-orientation histograms: scikit-learn's 8 × 8 handwritten digits (1,797
images, bundled with python3-sklearn), one-class — for each digit and seed 0–2, 60% of its images stored, the other 40%
against twice as many images of the other digits, pixels standardized with the stored images' mean and deviation.

Printed, mean AUC over digits and seeds: the library's input distance (5-NN of images blurred by σ, at the best one-pixel
shift), the histograms' 5-NN (2 × 2-pixel cells, a 4 × 4 grid, as the library makes for 8 × 8 images; square-rooted, unit
length), both added as z-scores, at σ = 1 (the library's default) and 0.5, and the plain 5-NN of the unblurred pixels.
A check that the histograms do not only help Fashion-MNIST, not a study to choose anything with.

usage: /usr/bin/python3 digits_check.py   (about 1 minute)
"""
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

from edge_study import histograms, z_knn
from knn_study import blur, distances, knn

torch.set_num_threads(2)


def main():
    d = load_digits()
    X, y = d.images.astype(np.float32), d.target
    res = {}
    for seed in range(3):
        rng = np.random.default_rng(seed)
        for c in range(10):
            idx = rng.permutation(np.where(y == c)[0]); n = int(0.6 * len(idx))
            fit, held_n = idx[:n], idx[n:]
            others = rng.permutation(np.where(y != c)[0])[:len(held_n) * 2]
            held = np.concatenate([held_n, others]); labels = np.r_[np.zeros(len(held_n)), np.ones(len(others))]
            tr, te = X[fit], X[held]
            m, s = tr.mean(), tr.std(); tr, te = (tr - m) / s, (te - m) / s
            for sigma in (1.0, 0.5):
                a, b = blur(tr, sigma), blur(te, sigma)
                own = knn(distances(a, a, 1, leave_one_out=True), 5)
                zp = (knn(distances(a, b, 1), 5) - own.mean()) / own.std()
                ze = z_knn(histograms(tr, sigma, 8, "2px", "sqrt-l2"), histograms(te, sigma, 8, "2px", "sqrt-l2"))
                for name, sc in ((f"pixels s{sigma}", zp), (f"edges s{sigma}", ze), (f"pixels+edges s{sigma}", zp + ze)):
                    res.setdefault(name, []).append(roc_auc_score(labels, sc.numpy()))
            plain = torch.tensor(tr.reshape(len(tr), -1)); q = torch.tensor(te.reshape(len(te), -1))
            res.setdefault("plain 5-NN", []).append(roc_auc_score(labels, z_knn(plain, q).numpy()))
    for k, v in res.items():
        print(f"{np.mean(v):.4f} {k}")


if __name__ == "__main__":
    main()
