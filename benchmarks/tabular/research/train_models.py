"""Trains every autoencoder the study needs, on the VALIDATION protocol's FIT rows only, and caches the weights.

usage: /usr/bin/python3 train_models.py --seeds 0,1,2 [--sets a,b] [--cache DIR]

Per set and data seed, two kinds of stacked runs (see aelib.py):
  main (100 epochs, weights kept after epochs 10, 25, 50, 100):
    base0..4      the reference autoencoder, init seeds 0..4
    dn{σ}_{i}     denoising, Gaussian noise σ in {0.1, 0.3, 0.5} (standardized units), init seeds 0..4 (same inits as base)
    rand{i}       RandNet-style: random hidden size 2d*U(0.5,1.5) and code size ceil(d/4)*U(0.5,2) (clamped as the defaults)
    fb{i}         feature bagging: a random subset of U{ceil(d/2)..d-1} features, default sizes for that subset
  es10 / es20 (early stopping, patience 10, at most 100 epochs, keep best):
    base0..4 with a 10% / 20% hold-out of the FIT rows (a different random split per member)
The data seed s offsets every init seed (init seed = 1000*s + i), so runs of different data seeds are independent.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import torch
from aelib import load, member, train, default_sizes

SETS = ["shuttle", "satellite", "letter", "digits", "vehicle", "breastw", "pima", "wdbc", "ionosphere", "glass",
        "wine", "sonar"]
SIGMAS = [0.1, 0.3, 0.5]


def main_specs(d, s):
    rng = np.random.default_rng(5000 + s)
    specs, names = [], []
    for i in range(5):
        specs.append(member(1000 * s + i, d)); names.append(f"base{i}")
    for sg in SIGMAS:
        for i in range(5):
            specs.append(member(1000 * s + i, d, sigma=sg)); names.append(f"dn{sg}_{i}")
    for i in range(5):
        h0, k0 = default_sizes(d)
        h = int(min(max(round(2 * d * rng.uniform(0.5, 1.5)), 16), 256))
        k = int(min(max(round(k0 * rng.uniform(0.5, 2.0)), 2), 64))
        specs.append(member(1000 * s + 100 + i, d, h=h, k=k)); names.append(f"rand{i}")
    for i in range(5):
        lo = int(np.ceil(d / 2))
        m = int(rng.integers(lo, d)) if d > lo else d  # U{ceil(d/2)..d-1}
        feats = rng.choice(d, size=m, replace=False)
        specs.append(member(1000 * s + 200 + i, d, feats=feats)); names.append(f"fb{i}")
    return specs, names


def run(name, s, cache, base_only=False):
    path = f"{cache}/{name}_s{s}.pt"
    if os.path.exists(path):
        return None
    Xtr, _, _ = load(name, s)
    d = Xtr.shape[1]
    out = {}
    t = time.time()
    specs, names = main_specs(d, s)
    if base_only:  # confirmation seeds: only the five reference autoencoders (same init seeds as in a full run)
        specs, names = specs[:5], names[:5]
    _, snaps = train(Xtr, specs, epochs=100, snapshots=(10, 25, 50, 100), group_seed=s)
    out["main"] = dict(specs=specs, names=names, snaps={k: v for k, v in snaps.items() if k != "final"},
                       seconds=time.time() - t)
    for hold in (() if base_only else (0.1, 0.2)):
        t = time.time()
        specs = [member(1000 * s + i, d) for i in range(5)]
        _, snaps = train(Xtr, specs, epochs=100, holdout=hold, patience=10, group_seed=100 + s + int(hold * 100))
        out[f"es{int(hold * 100)}"] = dict(specs=specs, names=[f"base{i}" for i in range(5)],
                                           snaps={"best": snaps["best"]}, best_epoch=snaps["best_epoch"],
                                           seconds=time.time() - t)
    torch.save(out, path + ".tmp")
    os.replace(path + ".tmp", path)
    return {k: round(v["seconds"], 1) for k, v in out.items()} | ({"es_epochs": out["es10"]["best_epoch"] + out["es20"]["best_epoch"]} if "es10" in out else {})


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--cache", default="/tmp/ae-research-cache")
    ap.add_argument("--base-only", action="store_true", help="only the 5 reference autoencoders (no variants)")
    a = ap.parse_args()
    os.makedirs(a.cache, exist_ok=True)
    for s in [int(x) for x in a.seeds.split(",")]:
        for name in a.sets.split(","):
            t = time.time()
            info = run(name, s, a.cache, a.base_only)
            print(name, s, f"{time.time() - t:.1f}s", json.dumps(info), flush=True)
