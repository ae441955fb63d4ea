"""Edge-orientation histograms (HOG-like) next to the blurred-image distance on Fashion-MNIST: which variant, and whether
it adds to the pixels' nearest-neighbour distance. No autoencoder.

Same validation protocol and stored images as knn_study.py (train on the first 5,000 training images of a class; its
other training images against as many of the other classes; the test set is never read; 4,096 stored images,
standardized per channel). Every score is a 5-NN mean distance (the stored images' own leave-one-out), z-scored with the
stored images' own distances; "pixels" is the library's input distance (σ = 1 blur, best one-pixel shift).

Histograms: the gradient of the image (blurred by σ = 1 unless said) by central differences, edges replicated; its
positive part along each of 8 directions (every 45°; or 12); averaged over cells of 4 × 4 pixels (a 7 × 7 grid; or 2, or
7 pixels, or 8-pixel windows every 4 pixels); then normalized: "l2" scales the whole vector to unit length, "sqrt-l2"
takes the square root of every cell's averages first (as the library does), "block" scales each cell's 8 values to unit
length, "none" keeps them as they are.

Printed: mean AUC over the ten classes for each variant, alone and added to the pixels' distance (z-scores added), then
per class.

usage: /usr/bin/python3 edge_study.py   (about 8 minutes on 2 cores; needs python3-torch, python3-sklearn and
dataset-fashion-mnist)
"""
import numpy as np
import torch
import torch.nn.functional as F

from knn_study import Results, blur, distances, knn, standardized_splits

torch.set_num_threads(2)

VARIANTS = [  # (blur sigma, directions, cells, normalization)
    (1.0, 8, "4px", "none"),
    (1.0, 8, "4px", "l2"),
    (1.0, 8, "4px", "sqrt-l2"),  # the library's
    (1.0, 12, "4px", "l2"),
    (1.0, 8, "2px", "l2"),
    (1.0, 8, "7px", "l2"),
    (1.0, 8, "8px every 4", "l2"),
    (1.0, 8, "4px", "block"),
    (0.0, 8, "4px", "l2"),
]


def histograms(x, sigma, directions, cells, normalization):
    t = torch.tensor(blur(x, sigma) if sigma > 0 else x)[:, None]
    t = F.pad(t, (1, 1, 1, 1), mode="replicate")
    gx = (t[:, :, 1:-1, 2:] - t[:, :, 1:-1, :-2]) / 2
    gy = (t[:, :, 2:, 1:-1] - t[:, :, :-2, 1:-1]) / 2
    c = torch.cat([F.relu(gx * np.cos(a) + gy * np.sin(a)) for a in 2 * np.pi * np.arange(directions) / directions], 1)
    if cells == "8px every 4":
        c = F.avg_pool2d(F.pad(c, (2, 2, 2, 2), mode="replicate"), 8, 4)
    else:
        size = int(cells[:-2])
        c = F.avg_pool2d(c, size, size)
    if normalization == "block":
        return (c / (c.pow(2).sum(1, keepdim=True).sqrt() + 1e-3)).reshape(len(x), -1)
    f = c.reshape(len(x), -1)
    if normalization == "sqrt-l2":
        f = f.sqrt()
    if normalization in ("l2", "sqrt-l2"):
        f = f / (f.norm(dim=1, keepdim=True) + 1e-3)
    return f


def z_knn(stored, queries, k=5):
    own = torch.cdist(stored, stored)
    own.fill_diagonal_(float("inf"))
    o = knn(own, k)
    return (knn(torch.cdist(queries, stored), k) - o.mean()) / o.std()


def main():
    results = Results()
    add = results.add
    for c, stored, held, labels in standardized_splits():
        a, b = blur(stored, 1.0), blur(held, 1.0)
        own = knn(distances(a, a, 1, leave_one_out=True), 5)
        pixels = (knn(distances(a, b, 1), 5) - own.mean()) / own.std()
        add("pixels (sigma 1, best one-pixel shift)", labels, pixels)
        for v in VARIANTS:
            edges = z_knn(histograms(stored, *v), histograms(held, *v))
            name = f"sigma {v[0]}, {v[1]} directions, {v[2]} cells, {v[3]}"
            add(f"histograms alone: {name}", labels, edges)
            add(f"pixels + histograms: {name}", labels, pixels + edges)
        print(f"class {c} done", flush=True)
    results.print()


if __name__ == "__main__":
    main()
