#!/usr/bin/python3
"""Writes the tabular one-class anomaly-detection suite: public data sets, fixed train/test splits, standardized CSVs.

Sources (all Debian packages, installed by ./setup): r-cran-mlbench's .rda files, read with python3-rdata (or, with
--loader rscript, exported by Rscript, which r-cran-mlbench depends on), and the data sets bundled with python3-sklearn.

For every set and seed s in 0..4 (see README.md for the full text):
  test protocol        normal rows shuffled with numpy.random.default_rng(s).permutation; the first floor(0.6 n_normal)
                       are TRAIN, TEST = the other normal rows (in permuted order) followed by every anomaly row (in
                       source order); standardized with TRAIN's mean and population std (std < 1e-8 -> 1).
  validation protocol  FIT = the first floor(0.8 n_train) TRAIN rows (permuted order), VALIDATION = the remaining TRAIN
                       rows followed by the first ceil(n_anomaly / 2) anomaly rows of
                       numpy.random.default_rng(1000 + s).permutation(n_anomaly); standardized with FIT's statistics.

Layout under the output folder (default /tmp/autoencoders-tabular):
  suite.json                                   the sets, the protocol, every file's row count and sha256
  <set>/seed<s>/test/train.csv                 TRAIN              (all label 0)
  <set>/seed<s>/test/test.csv                  TEST
  <set>/seed<s>/validation/train.csv           FIT                (all label 0)
  <set>/seed<s>/validation/test.csv            VALIDATION
Each CSV has the header `label,f0,f1,...` (label 1 = anomaly, 0 = normal) and '%.9g' values.

Idempotent: the output depends only on the packaged data; a file whose bytes would not change is not rewritten.
"""
import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

MLBENCH = "/usr/lib/R/site-library/mlbench/data"
SEEDS = (0, 1, 2, 3, 4)
FLOAT_FORMAT = "%.9g"
STD_FLOOR = 1e-8
UCI_LICENCE = "CC BY 4.0 (licence shown on the data set's UCI repository page)"
MLBENCH_SOURCE = "Debian r-cran-mlbench ({file}, R package mlbench, GPL-2; data from the UCI repository: {uci})"
SKLEARN_SOURCE = "Debian python3-sklearn (sklearn.datasets.{fn}, scikit-learn BSD-3-Clause; data from the UCI repository: {uci})"


# ----------------------------------------------------------------------------------------------------------------------
# Loading mlbench's .rda files. Factor columns are returned as their labels (strings, NaN for NA), numeric columns as
# float64, so that both loaders give the same frame and factors are converted by label, never by level code.

def load_mlbench(name, loader):
    import pandas as pd
    if loader in ("auto", "rdata"):
        try:
            import rdata
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Unknown encoding. Assumed ASCII."
                frame = rdata.conversion.convert(rdata.parser.parse_file(f"{MLBENCH}/{name}.rda"))[name]
            out = pd.DataFrame(index=range(len(frame)))
            for column in frame.columns:
                series = frame[column].reset_index(drop=True)
                if str(series.dtype) in ("category", "object"):
                    out[column] = series.astype(object).where(series.notna(), np.nan)
                else:
                    out[column] = series.astype(np.float64)
            return out
        except Exception as error:  # noqa: BLE001 - any parse failure falls back to R when allowed
            if loader == "rdata":
                raise
            print(f"python3-rdata could not read {name} ({error!r}); using Rscript", file=sys.stderr)
    script = (f'data("{name}", package = "mlbench"); x <- get("{name}"); '
              'for (i in seq_along(x)) if (is.factor(x[[i]])) x[[i]] <- as.character(x[[i]]); '
              'write.csv(x, stdout(), row.names = FALSE, na = "NA")')
    text = subprocess.run(["Rscript", "--vanilla", "-e", script], check=True, capture_output=True, text=True).stdout
    frame = pd.read_csv(io.StringIO(text), na_values=["NA"], keep_default_na=False, dtype=str)
    out = pd.DataFrame(index=range(len(frame)))
    for column in frame.columns:
        values = frame[column]
        try:
            out[column] = values.astype(np.float64)
            # a factor whose labels all look numeric must stay a label column, as with rdata
            if _is_factor_in_r(name, column):
                out[column] = values.where(values.notna(), np.nan).astype(object)
        except ValueError:
            out[column] = values.where(values.notna(), np.nan).astype(object)
    return out


_FACTOR_CACHE = {}


def _is_factor_in_r(name, column):
    if name not in _FACTOR_CACHE:
        script = f'data("{name}", package = "mlbench"); x <- get("{name}"); cat(names(x)[sapply(x, is.factor)], sep = "\\n")'
        text = subprocess.run(["Rscript", "--vanilla", "-e", script], check=True, capture_output=True, text=True).stdout
        _FACTOR_CACHE[name] = set(text.split())
    return column in _FACTOR_CACHE[name]


def numeric(frame, columns):
    """Float matrix of the given columns; factor labels ('1', '10', ...) are parsed as numbers."""
    return np.column_stack([frame[c].astype(np.float64).to_numpy() for c in columns])


# ----------------------------------------------------------------------------------------------------------------------
# The suite. Each loader returns (X float64 [rows, features], y int8 [rows], feature names); y = 1 marks an anomaly.

def shuttle(loader):
    d = load_mlbench("Shuttle", loader)
    d = d[d["Class"] != "High"].reset_index(drop=True)  # class 4 is discarded (ODDS)
    cols = [f"V{i}" for i in range(1, 10)]
    return numeric(d, cols), (d["Class"] != "Rad.Flow").to_numpy(np.int8), cols


def satellite(loader):
    d = load_mlbench("Satellite", loader)
    cols = [f"x.{i}" for i in range(1, 37)]
    small = {"cotton crop", "damp grey soil", "vegetation stubble"}  # UCI classes 2, 4, 5: the three smallest
    return numeric(d, cols), d["classes"].isin(small).to_numpy(np.int8), cols


def letter(loader):
    d = load_mlbench("LetterRecognition", loader)
    cols = [c for c in d.columns if c != "lettr"]
    return numeric(d, cols), (d["lettr"] == "A").to_numpy(np.int8), cols


def digits(loader):
    from sklearn.datasets import load_digits
    b = load_digits()
    return b.data.astype(np.float64), (b.target == 0).astype(np.int8), [f"pixel{i}" for i in range(64)]


def vehicle(loader):
    d = load_mlbench("Vehicle", loader)
    cols = [c for c in d.columns if c != "Class"]
    return numeric(d, cols), (d["Class"] == "bus").to_numpy(np.int8), cols


def breastw(loader):
    d = load_mlbench("BreastCancer", loader)
    cols = [c for c in d.columns if c not in ("Id", "Class")]
    d = d.dropna(subset=cols).reset_index(drop=True)  # 16 rows lack Bare.nuclei
    return numeric(d, cols), (d["Class"] == "malignant").to_numpy(np.int8), cols


def pima(loader):
    d = load_mlbench("PimaIndiansDiabetes", loader)
    cols = [c for c in d.columns if c != "diabetes"]
    return numeric(d, cols), (d["diabetes"] == "pos").to_numpy(np.int8), cols


def wdbc(loader):
    from sklearn.datasets import load_breast_cancer
    b = load_breast_cancer()
    malignant = list(b.target_names).index("malignant")
    return b.data.astype(np.float64), (b.target == malignant).astype(np.int8), list(b.feature_names)


def ionosphere(loader):
    d = load_mlbench("Ionosphere", loader)
    cols = ["V1"] + [f"V{i}" for i in range(3, 35)]  # V2 is constant 0 (dropped, as in ODDS); V1 is a 0/1 factor
    return numeric(d, cols), (d["Class"] == "bad").to_numpy(np.int8), cols


def glass(loader):
    d = load_mlbench("Glass", loader)
    cols = [c for c in d.columns if c != "Type"]
    return numeric(d, cols), (d["Type"] == "6").to_numpy(np.int8), cols


def wine(loader):
    from sklearn.datasets import load_wine
    b = load_wine()
    return b.data.astype(np.float64), (b.target == 0).astype(np.int8), list(b.feature_names)


def sonar(loader):
    d = load_mlbench("Sonar", loader)
    cols = [f"V{i}" for i in range(1, 61)]
    return numeric(d, cols), (d["Class"] == "M").to_numpy(np.int8), cols


SUITE = [
    dict(name="shuttle", load=shuttle,
         rule="normal = class 1 'Rad.Flow'; anomalies = classes 2, 3, 5, 6, 7 (Fpv.Close, Fpv.Open, Bypass, Bpv.Close, "
              "Bpv.Open); class 4 'High' dropped",
         convention="ODDS 'shuttle' (49097 x 9, 3511 anomalies): same rule, same counts",
         source=MLBENCH_SOURCE.format(file="Shuttle.rda", uci="Statlog (Shuttle), train + test, 58000 rows"),
         licence=UCI_LICENCE),
    dict(name="satellite", load=satellite,
         rule="anomalies = the three smallest classes: 'cotton crop', 'damp grey soil', 'vegetation stubble' (UCI 2, 4, 5)",
         convention="ODDS 'satellite' (6435 x 36, 2036 anomalies): same rule, same counts",
         source=MLBENCH_SOURCE.format(file="Satellite.rda", uci="Statlog (Landsat Satellite), train + test"),
         licence=UCI_LICENCE),
    dict(name="letter", load=letter,
         rule="anomalies = letter 'A'; normal = the other 25 letters",
         convention="none reproducible (ODDS 'letter' is a resampled 32-feature construction); one class as anomaly, "
                    "the first level",
         source=MLBENCH_SOURCE.format(file="LetterRecognition.rda", uci="Letter Recognition"),
         licence=UCI_LICENCE),
    dict(name="digits", load=digits,
         rule="anomalies = digit 0; normal = digits 1-9",
         convention="ODDS 'optdigits' rule (digit 0 = anomaly) without ODDS's random down-sampling of the anomalies; "
                    "sklearn's copy is the 1797-row test part of UCI optdigits",
         source=SKLEARN_SOURCE.format(fn="load_digits", uci="Optical Recognition of Handwritten Digits, test part"),
         licence=UCI_LICENCE + "; as packaged, scikit-learn's BSD-3-Clause"),
    dict(name="vehicle", load=vehicle,
         rule="anomalies = class 'bus'; normal = opel, saab, van",
         convention="none; one class as anomaly, the first level",
         source=MLBENCH_SOURCE.format(file="Vehicle.rda", uci="Statlog (Vehicle Silhouettes)"),
         licence=UCI_LICENCE),
    dict(name="breastw", load=breastw,
         rule="anomalies = 'malignant'; Id dropped; the 16 rows with missing Bare.nuclei dropped; ordinal factors "
              "1-10 read as numbers",
         convention="ODDS 'breastw' (683 x 9, 239 anomalies): same rule, same counts",
         source=MLBENCH_SOURCE.format(file="BreastCancer.rda", uci="Breast Cancer Wisconsin (Original)"),
         licence=UCI_LICENCE),
    dict(name="pima", load=pima,
         rule="anomalies = diabetes 'pos'; zeros standing for missing values kept as they are",
         convention="ODDS 'pima' (768 x 8, 268 anomalies): same rule, same counts",
         source=MLBENCH_SOURCE.format(file="PimaIndiansDiabetes.rda", uci="Pima Indians Diabetes (since withdrawn from UCI)"),
         licence="no licence stated by the owner (NIDDK); the data set has been withdrawn from the UCI repository; "
                 "redistributed in mlbench (GPL-2 package) - fine for local benchmarking, do not redistribute the CSVs"),
    dict(name="wdbc", load=wdbc,
         rule="anomalies = 'malignant' (all 212); normal = 'benign'",
         convention="ODDS 'wbc'/ADBench 'WDBC' rule (malignant = anomaly) without their random down-sampling of the "
                    "anomalies",
         source=SKLEARN_SOURCE.format(fn="load_breast_cancer", uci="Breast Cancer Wisconsin (Diagnostic)"),
         licence=UCI_LICENCE + "; as packaged, scikit-learn's BSD-3-Clause"),
    dict(name="ionosphere", load=ionosphere,
         rule="anomalies = 'bad'; V2 (constant 0) dropped; V1 (a 0/1 factor) read as a number",
         convention="ODDS 'ionosphere' (351 x 33, 126 anomalies): same rule, same counts",
         source=MLBENCH_SOURCE.format(file="Ionosphere.rda", uci="Ionosphere"),
         licence=UCI_LICENCE),
    dict(name="glass", load=glass,
         rule="anomalies = Type 6 'tableware'; normal = types 1, 2, 3, 5, 7",
         convention="ODDS 'glass' (214 x 9, 9 anomalies): same rule, same counts",
         source=MLBENCH_SOURCE.format(file="Glass.rda", uci="Glass Identification"),
         licence=UCI_LICENCE),
    dict(name="wine", load=wine,
         rule="anomalies = class_0 (cultivar 1, all 59 rows); normal = class_1, class_2",
         convention="ODDS 'wine' rule (class 1 = anomaly) without ODDS's random down-sampling to 10 anomalies",
         source=SKLEARN_SOURCE.format(fn="load_wine", uci="Wine"),
         licence=UCI_LICENCE + "; as packaged, scikit-learn's BSD-3-Clause"),
    dict(name="sonar", load=sonar,
         rule="anomalies = 'M' (mine, metal cylinder); normal = 'R' (rock); anomalies outnumber normals",
         convention="none; the object to detect (mine) as anomaly",
         source=MLBENCH_SOURCE.format(file="Sonar.rda", uci="Connectionist Bench (Sonar, Mines vs. Rocks)"),
         licence=UCI_LICENCE),
]


# ----------------------------------------------------------------------------------------------------------------------
# Splits

def splits(y, seed):
    """Row indices (into the set's rows) of every part, for one seed."""
    normal = np.flatnonzero(y == 0)
    anomaly = np.flatnonzero(y == 1)
    shuffled = normal[np.random.default_rng(seed).permutation(len(normal))]
    n_train = (6 * len(normal)) // 10  # == floor(0.6 n), exactly
    train, rest = shuffled[:n_train], shuffled[n_train:]
    n_fit = (8 * n_train) // 10  # == floor(0.8 n_train)
    fit, held = train[:n_fit], train[n_fit:]
    chosen = anomaly[np.random.default_rng(1000 + seed).permutation(len(anomaly))[:(len(anomaly) + 1) // 2]]
    return {
        "test": (train, np.concatenate([rest, anomaly])),
        "validation": (fit, np.concatenate([held, chosen])),
    }


def standardize(X, fit_rows):
    mean = X[fit_rows].mean(axis=0)
    std = X[fit_rows].std(axis=0)  # population std (ddof = 0)
    std[std < STD_FLOOR] = 1.0
    return mean, std


def csv_bytes(labels, values):
    d = values.shape[1]
    out = io.StringIO()
    out.write("label," + ",".join(f"f{i}" for i in range(d)) + "\n")
    row_format = "%d," + ",".join([FLOAT_FORMAT] * d) + "\n"
    for label, row in zip(labels.tolist(), values.tolist()):
        out.write(row_format % (label, *row))
    return out.getvalue().encode("ascii")


def write_if_changed(path, data):
    if os.path.exists(path):
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return True


def debian_version(package):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], check=True, capture_output=True,
                              text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", default="/tmp/autoencoders-tabular", help="output folder")
    parser.add_argument("--loader", choices=("auto", "rdata", "rscript"), default="auto",
                        help="how mlbench's .rda files are read (auto: python3-rdata, falling back to Rscript)")
    parser.add_argument("--sets", help="comma-separated subset of set names (default: all)")
    args = parser.parse_args()

    chosen = SUITE if not args.sets else [s for s in SUITE if s["name"] in args.sets.split(",")]
    if args.sets and len(chosen) != len(args.sets.split(",")):
        parser.error(f"unknown set in --sets; known: {', '.join(s['name'] for s in SUITE)}")
    os.makedirs(args.out, exist_ok=True)
    started = time.perf_counter()
    written = 0
    kept = 0
    entries = []
    for spec in chosen:
        X, y, names = spec["load"](args.loader)
        assert X.ndim == 2 and X.shape[0] == y.shape[0] and X.shape[1] == len(names), spec["name"]
        assert np.isfinite(X).all(), f"{spec['name']}: non-finite values"
        n_anomaly = int(y.sum())
        files = {}
        for seed in SEEDS:
            for protocol, (fit_rows, eval_rows) in splits(y, seed).items():
                mean, std = standardize(X, fit_rows)
                for part, rows in (("train", fit_rows), ("test", eval_rows)):
                    rel = f"{spec['name']}/seed{seed}/{protocol}/{part}.csv"
                    data = csv_bytes(y[rows], (X[rows] - mean) / std)
                    if write_if_changed(os.path.join(args.out, rel), data):
                        written += 1
                    else:
                        kept += 1
                    files.setdefault(str(seed), {}).setdefault(protocol, {})[part] = {
                        "path": rel, "rows": int(len(rows)), "anomalies": int(y[rows].sum()),
                        "sha256": hashlib.sha256(data).hexdigest()}
        entries.append({
            "name": spec["name"], "rows": int(X.shape[0]), "features": int(X.shape[1]), "anomalies": n_anomaly,
            "anomaly_fraction": round(n_anomaly / X.shape[0], 4), "rule": spec["rule"], "convention": spec["convention"],
            "source": spec["source"], "licence": spec["licence"], "feature_names": list(map(str, names)),
            "files": files})

    suite = {
        "description": "One-class tabular anomaly-detection suite for Autoencoders.ML; see benchmarks/tabular/README.md",
        "label": "1 = anomaly, 0 = normal",
        "seeds": list(SEEDS),
        "float_format": FLOAT_FORMAT,
        "protocols": {
            "test": "train.csv = TRAIN: the first floor(0.6 n_normal) normal rows after "
                    "numpy.random.default_rng(seed).permutation; test.csv = TEST: the other normal rows (permuted "
                    "order) then all anomaly rows (source order); standardized with TRAIN mean and population std "
                    "(std < 1e-8 -> 1)",
            "validation": "train.csv = FIT: the first floor(0.8 n_train) TRAIN rows; test.csv = VALIDATION: the "
                          "remaining TRAIN rows then the first ceil(n_anomaly / 2) anomaly rows of "
                          "numpy.random.default_rng(1000 + seed).permutation(n_anomaly); standardized with FIT "
                          "statistics. The validation anomalies are also in the test protocol's TEST.",
        },
        "generator": {"script": "benchmarks/tabular/prepare.py", "numpy": np.__version__,
                      "debian": {p: debian_version(p) for p in ("r-cran-mlbench", "python3-rdata", "python3-sklearn",
                                                                 "python3-numpy")}},
        "sets": entries,
    }
    suite_bytes = (json.dumps(suite, indent=1) + "\n").encode("utf-8")
    if args.sets:
        print("--sets given: suite.json not written (it always lists the whole suite)")
    else:
        write_if_changed(os.path.join(args.out, "suite.json"), suite_bytes)

    print(f"{'set':<11} {'rows':>6} {'feat':>4} {'anom':>5} {'anom%':>6} {'train':>6} {'test':>6} {'fit':>6} {'valid':>6}  rule")
    for e in entries:
        f = e["files"]["0"]
        print(f"{e['name']:<11} {e['rows']:>6} {e['features']:>4} {e['anomalies']:>5} {100 * e['anomaly_fraction']:>5.1f}% "
              f"{f['test']['train']['rows']:>6} {f['test']['test']['rows']:>6} "
              f"{f['validation']['train']['rows']:>6} {f['validation']['test']['rows']:>6}  {e['rule']}")
    print(f"{len(entries)} sets x {len(SEEDS)} seeds x 2 protocols: {written} files written, {kept} unchanged, "
          f"in {time.perf_counter() - started:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
