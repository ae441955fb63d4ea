#!/usr/bin/python3
"""Scores the classic baseline detectors on the tabular suite written by prepare.py.

For every set, seed and protocol it fits on train.csv (normal rows only) and scores test.csv, the same standardized
files the C# benchmark reads:
  knn      k-NN, k = 5: mean Euclidean distance to the 5 nearest train rows (sklearn NearestNeighbors)
  iforest  IsolationForest(n_estimators=100, random_state=seed), other parameters default; score = -score_samples
  pca      PCA(n_components=0.9, svd_solver='full') fitted on train; score = squared reconstruction error
AUC-ROC (roc_auc_score) and AUPRC (average_precision_score) are computed on test.csv with label 1 = anomaly.
Writes <out>/baselines.json and prints mean-over-seeds tables.
"""
import os

# one thread per BLAS / OpenMP pool: the numbers do not depend on it and the machine stays usable
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402

METHODS = {
    "knn": "k-NN (k=5): mean distance to the 5 nearest train rows, sklearn NearestNeighbors",
    "iforest": "IsolationForest(n_estimators=100, random_state=seed), score = -score_samples",
    "pca": "PCA(n_components=0.9, svd_solver='full') fitted on train, score = squared reconstruction error",
}


def read_split(path, expected_sha256):
    with open(path, "rb") as f:
        data = f.read()
    if expected_sha256 and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise SystemExit(f"{path} differs from suite.json (sha256); rerun prepare.py")
    frame = pd.read_csv(path, dtype=np.float64)
    return frame.iloc[:, 1:].to_numpy(), frame["label"].to_numpy().astype(np.int8)


def score(method, train, test, seed):
    """Anomaly scores of the test rows (higher = more anomalous), and extra facts worth recording."""
    if method == "knn":
        distances, _ = NearestNeighbors(n_neighbors=5).fit(train).kneighbors(test)
        return distances.mean(axis=1), {}
    if method == "iforest":
        forest = IsolationForest(n_estimators=100, random_state=seed).fit(train)
        return -forest.score_samples(test), {}
    if method == "pca":
        pca = PCA(n_components=0.9, svd_solver="full").fit(train)
        reconstructed = pca.inverse_transform(pca.transform(test))
        return ((test - reconstructed) ** 2).sum(axis=1), {"components": int(pca.n_components_)}
    raise ValueError(method)


def table(title, sets, methods, summary, metric):
    print(f"\n{title}")
    print(f"{'set':<11}" + "".join(f"{m:>16}" for m in methods))
    for name in sets:
        cells = "".join(f"{summary[name][m][metric + '_mean']:>9.4f} ±{summary[name][m][metric + '_std']:.3f}"
                        for m in methods)
        print(f"{name:<11}{cells}")
    means = {m: float(np.mean([summary[name][m][metric + "_mean"] for name in sets])) for m in methods}
    print(f"{'mean':<11}" + "".join(f"{means[m]:>9.4f}       " for m in methods))
    return means


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", default="/tmp/autoencoders-tabular", help="folder written by prepare.py")
    parser.add_argument("--sets", help="comma-separated subset of set names (default: all in suite.json)")
    parser.add_argument("--protocols", default="test,validation", help="comma-separated: test, validation")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated: " + ", ".join(METHODS))
    args = parser.parse_args()

    with open(os.path.join(args.out, "suite.json")) as f:
        suite = json.load(f)
    sets = [s for s in suite["sets"] if not args.sets or s["name"] in args.sets.split(",")]
    protocols = args.protocols.split(",")
    methods = args.methods.split(",")
    assert set(methods) <= set(METHODS) and set(protocols) <= {"test", "validation"}, "unknown method or protocol"

    started = time.perf_counter()
    method_seconds = dict.fromkeys(methods, 0.0)
    runs = []
    for entry in sets:
        set_started = time.perf_counter()
        for seed in suite["seeds"]:
            for protocol in protocols:
                parts = entry["files"][str(seed)][protocol]
                train, train_labels = read_split(os.path.join(args.out, parts["train"]["path"]), parts["train"]["sha256"])
                test, labels = read_split(os.path.join(args.out, parts["test"]["path"]), parts["test"]["sha256"])
                assert not train_labels.any(), "train rows must all be normal"
                for method in methods:
                    t0 = time.perf_counter()
                    scores, extra = score(method, train, test, seed)
                    seconds = time.perf_counter() - t0
                    method_seconds[method] += seconds
                    runs.append({"set": entry["name"], "seed": seed, "protocol": protocol, "method": method,
                                 "auc": float(roc_auc_score(labels, scores)),
                                 "auprc": float(average_precision_score(labels, scores)),
                                 "seconds": round(seconds, 4), **extra})
        print(f"  {entry['name']:<11} {time.perf_counter() - set_started:6.1f} s", flush=True)
    total = time.perf_counter() - started

    summary = {}
    for protocol in protocols:
        summary[protocol] = {}
        for entry in sets:
            summary[protocol][entry["name"]] = {}
            for method in methods:
                chosen = [r for r in runs if r["set"] == entry["name"] and r["protocol"] == protocol
                          and r["method"] == method]
                auc = np.array([r["auc"] for r in chosen])
                auprc = np.array([r["auprc"] for r in chosen])
                summary[protocol][entry["name"]][method] = {
                    "auc_mean": float(auc.mean()), "auc_std": float(auc.std()),
                    "auprc_mean": float(auprc.mean()), "auprc_std": float(auprc.std()), "seeds": len(chosen)}

    names = [e["name"] for e in sets]
    overall = {}
    for protocol in protocols:
        overall[protocol] = {
            "auc": table(f"AUC-ROC, {protocol} protocol, mean ± std over seeds {suite['seeds']}", names, methods,
                         summary[protocol], "auc"),
            "auprc": table(f"AUPRC, {protocol} protocol, mean ± std over seeds {suite['seeds']}", names, methods,
                           summary[protocol], "auprc")}
    print(f"\n{len(runs)} fits in {total:.1f} s (" + ", ".join(f"{m} {s:.1f} s" for m, s in method_seconds.items())
          + ", the rest reading CSVs)")

    result = {
        "description": "Baseline detectors on the suite in suite.json; see benchmarks/tabular/README.md",
        "methods": {m: METHODS[m] for m in methods},
        "metrics": "auc = sklearn roc_auc_score, auprc = sklearn average_precision_score, on test.csv, label 1 = anomaly",
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__,
                     "python3-sklearn": subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-sklearn"],
                                                       capture_output=True, text=True).stdout or None},
        "seconds": {"total": round(total, 2), **{m: round(s, 2) for m, s in method_seconds.items()}},
        "summary": summary,
        "overall_mean_of_set_means": overall,
        "runs": runs,
    }
    with open(os.path.join(args.out, "baselines.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.join(args.out, 'baselines.json')}")


if __name__ == "__main__":
    main()
