"""Nearest-neighbour distances on Fashion-MNIST images, no autoencoder: what blur, shifts and neighbours do.

The detector's default Score for image rows adds a nearest-neighbour distance between standardized images (blurred by
`NeighborSmoothing`, the query at its best shift by up to `NeighborShift` pixels) to one in the autoencoder's hidden
features. This measures the input part alone, on the benchmark's validation protocol (`fmnist-oneclass --protocol
validation`: train on the first 5,000 training images of a class; evaluate on its other training images against as
many training images of the other classes, chosen by the same hash; the test set is never read), with 4,096 of the
5,000 images stored (the library's automatic count for 28×28 rows), standardized per channel (one mean and deviation).

Printed, mean AUC over the ten classes (then per class): 5-NN of the blurred images at σ = 1 and 1.5 pixels, in place
and at the best shift by up to 1 or 2 pixels (edges replicated); k = 1..10 at the best one-pixel shift; per-image
contrast normalization (cosine distance); a local-density ratio (the query's k-NN distance over its neighbours'
own, LOF-like), alone and added to the distance; and two scales, σ = 1 and 2 with the shift, their z-scores added.

usage: /usr/bin/python3 knn_study.py   (about 10 minutes on 2 cores; needs python3-torch, python3-sklearn and
dataset-fashion-mnist)
"""
import gzip

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

torch.set_num_threads(2)
FOLDER = "/usr/share/datasets/fashion-mnist/"


def load():
    x = np.frombuffer(gzip.open(FOLDER + "train-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 28, 28)
    y = np.frombuffer(gzip.open(FOLDER + "train-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    return x.astype(np.float32) / 255, y


def split(x, y, c):
    """The benchmark's validation split (FashionMnistOneClassCommand.Split)."""
    idx = np.where(y == c)[0]
    held = idx[5000:]
    others = sorted((r for r in range(len(y)) if y[r] != c), key=lambda r: (r * 2654435761) % 1000003)[:len(held)]
    labels = np.r_[np.zeros(len(held)), np.ones(len(others))]
    return x[idx[:5000]], x[np.concatenate([held, others])], labels


def blur(x, sigma):
    radius = int(np.ceil(3 * sigma))
    g = torch.exp(-torch.arange(-radius, radius + 1.0) ** 2 / (2 * sigma * sigma))
    g /= g.sum()
    t = F.pad(torch.tensor(x)[:, None], (radius,) * 4, mode="replicate")
    t = F.conv2d(t, g.reshape(1, 1, 1, -1))
    return F.conv2d(t, g.reshape(1, 1, -1, 1)).numpy()[:, 0]


def positions(x, shift):
    """Every shift of the images by up to `shift` pixels each way, edges replicated, flattened."""
    t = F.pad(torch.tensor(x)[:, None], (shift,) * 4, mode="replicate")
    h, w = x.shape[1:]
    return [t[:, 0, shift + dy:shift + dy + h, shift + dx:shift + dx + w].reshape(len(x), -1)
            for dy in range(-shift, shift + 1) for dx in range(-shift, shift + 1)]


def distances(stored, queries, shift, leave_one_out=False):
    """[queries, stored] distances, each the smallest over the query's shifts."""
    reference = torch.tensor(stored.reshape(len(stored), -1))
    d = None
    for q in positions(queries, shift):
        part = torch.cdist(q, reference)
        d = part if d is None else torch.minimum(d, part)
    if leave_one_out:
        d.fill_diagonal_(float("inf"))
    return d


def knn(d, k):
    return d.topk(k, largest=False).values.mean(1)


def standardized_splits():
    """For each class: (class, its 4,096 stored training images, the held-out images, their labels (1: another class)),
    standardized with the 5,000 training images' mean and deviation (per channel)."""
    x, y = load()
    for c in range(10):
        train, held, labels = split(x, y, c)
        mean, std = train.mean(), train.std()
        train, held = (train - mean) / std, (held - mean) / std
        yield c, train[np.sort(np.random.default_rng(1).permutation(len(train))[:4096])], held, labels


class Results:
    """AUC per class of each named score; printed as the mean over classes, then per class."""

    def __init__(self):
        self.aucs = {}

    def add(self, name, labels, scores):
        self.aucs.setdefault(name, []).append(roc_auc_score(labels, np.asarray(scores)))

    def print(self):
        for name, aucs in self.aucs.items():
            print(f"{np.mean(aucs):.4f}  {name}  ({' '.join(f'{v:.4f}' for v in aucs)})")


def main():
    results = Results()
    add = results.add
    for c, stored, held, labels in standardized_splits():
        scales = {}
        for sigma in (1.0, 1.5, 2.0):
            a, b = blur(stored, sigma), blur(held, sigma)
            if sigma == 2.0:
                own = knn(distances(a, a, 1, leave_one_out=True), 5)
                scales[sigma] = (knn(distances(a, b, 1), 5) - own.mean()) / own.std()
                continue
            for shift in ((0, 1, 2) if sigma == 1.0 else (0, 1)):
                dq = distances(a, b, shift)
                add(f"sigma {sigma}, shift {shift}, 5-NN", labels, knn(dq, 5))
                if sigma == 1.0 and shift == 0:
                    def normalized(v):
                        f = v.reshape(len(v), -1)
                        f = f - f.mean(1, keepdims=True)
                        return f / np.linalg.norm(f, axis=1, keepdims=True)
                    add("sigma 1.0, shift 0, 5-NN, per-image contrast normalized", labels,
                        knn(torch.cdist(torch.tensor(normalized(b)), torch.tensor(normalized(a))), 5))
                if sigma == 1.0 and shift == 1:
                    for k in (1, 2, 3, 7, 10):
                        add(f"sigma 1.0, shift 1, {k}-NN", labels, knn(dq, k))
                    dr = distances(a, a, 1, leave_one_out=True)
                    own, own_idx = dr.topk(5, largest=False)
                    near, near_idx = dq.topk(5, largest=False)
                    own, near = own.mean(1), near.mean(1)
                    ratio, own_ratio = near / own[near_idx].mean(1), own / own[own_idx].mean(1)
                    z = (near - own.mean()) / own.std()
                    scales[sigma] = z
                    z_ratio = (ratio - own_ratio.mean()) / own_ratio.std()
                    add("sigma 1.0, shift 1, density ratio alone", labels, ratio)
                    add("sigma 1.0, shift 1, 5-NN + density ratio", labels, z + z_ratio)
                    add("sigma 1.0, shift 1, 5-NN + 0.5 density ratio", labels, z + 0.5 * z_ratio)
        add("sigma 1.0 + sigma 2.0 (z-scores added), shift 1, 5-NN", labels, scales[1.0] + scales[2.0])
        print(f"class {c} done", flush=True)
    results.print()


if __name__ == "__main__":
    main()
