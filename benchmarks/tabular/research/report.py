"""Tables (markdown) from evaluate.py's CSV(s) and the validation baselines in baselines.json.

usage: /usr/bin/python3 report.py results_s012.csv [results_s34.csv ...] [--top="config/kind/cand;..."]
                                   [--combos=combos.csv --ctop="config/kind/cand;..."] > tables.md
Mean over sets of the per-set mean over data seeds; single-model rows are also averaged over the 5 init seeds.
"""
import json
import sys

import pandas as pd

SETS = ["shuttle", "satellite", "letter", "digits", "vehicle", "breastw", "pima", "wdbc", "ionosphere", "glass",
        "wine", "sonar"]
files = [a for a in sys.argv[1:] if not a.startswith("--")]
COMBOS = [a[9:] for a in sys.argv[1:] if a.startswith("--combos=")]
TOP = [t for a in sys.argv[1:] if a.startswith("--top=") for t in a[6:].split(";")]  # "config/kind/cand;..."
d = pd.concat([pd.read_csv(p) for p in files])
d["kind"] = d.member.where(~d.member.str.startswith("m"), "single")
seeds = sorted(d.seed.unique())
sets = [s for s in SETS if s in set(d.set)]
b = pd.DataFrame(json.load(open("/tmp/autoencoders-tabular/baselines.json"))["runs"])
b = b[(b.protocol == "validation") & b.seed.isin(seeds) & b.set.isin(sets)]
base_set = b.groupby(["method", "set"])[["auc", "auprc"]].mean()
base_mean = base_set.groupby("method").mean()
knn_set = base_set.loc["knn"].auc

# per (config, kind, cand, set): mean over seeds (and members)
ps = d.groupby(["config", "kind", "cand", "set"])[["auc", "ap"]].mean()
pm = ps.groupby(["config", "kind", "cand"]).mean()
wins = ps.auc.unstack("set")[sets].sub(knn_set[sets], axis=1)
pm["wins_vs_knn"] = (wins > 0).sum(1)
pm["min_delta_vs_knn"] = wins.min(1)


def fmt(x, n=4):
    return f"{x:.{n}f}"


def cell(frame, s, key):
    """AUC (AUPRC) of candidate key = (config, kind, cand) on set s, or its mean over sets for "**mean**"."""
    r = frame.loc[key]
    r = r.mean() if s == "**mean**" else r.loc[s]
    return f"{fmt(r.auc)} ({fmt(r.ap, 3)})"


def baseline_cells(s):
    """The k-NN and IsolationForest cells of a per-set row, and the row's end."""
    bb = base_mean if s == "**mean**" else base_set.xs(s, level="set")
    return (f" | {fmt(bb.loc['knn'].auc)} ({fmt(bb.loc['knn'].auprc, 3)}) | {fmt(bb.loc['iforest'].auc)} "
            f"({fmt(bb.loc['iforest'].auprc, 3)}) |")


print(f"Data seeds: {seeds}; sets: {len(sets)}. Baselines (validation protocol, same seeds):\n")
print("| method | mean AUC | mean AUPRC |\n|---|---:|---:|")
for m, r in base_mean.iterrows():
    print(f"| {m} | {fmt(r.auc)} | {fmt(r.auprc)} |")

print("\n### Reference autoencoder (base@100, score = MSE, single model: mean over 5 init seeds), per set\n")
print("| set | AE MSE AUC | AE MSE AUPRC | knn AUC | iforest AUC | pca AUC |\n|---|---:|---:|---:|---:|---:|")
ref = ps.loc[("base@100", "single", "mse")]
for s in sets:
    print(f"| {s} | {fmt(ref.loc[s].auc)} | {fmt(ref.loc[s].ap)} | {fmt(base_set.loc[('knn', s)].auc)} | "
          f"{fmt(base_set.loc[('iforest', s)].auc)} | {fmt(base_set.loc[('pca', s)].auc)} |")
print(f"| **mean** | **{fmt(ref.auc.mean())}** | **{fmt(ref.ap.mean())}** | **{fmt(base_mean.loc['knn'].auc)}** | "
      f"**{fmt(base_mean.loc['iforest'].auc)}** | **{fmt(base_mean.loc['pca'].auc)}** |")


def table(config, title, filt=None):
    t = pm.loc[config]
    t = t.unstack("kind")
    print(f"\n### {title}\n")
    print("| candidate | single AUC | single AUPRC | wins vs knn (single) | ens5 (z) AUC | ens5 (z) AUPRC | "
          "wins vs knn (ens) | worst Δ vs knn (ens) | ens5 (median/MAD) AUC |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    order = t[("auc", "ensz")].sort_values(ascending=False).index
    for c in order:
        if filt and not filt(c):
            continue
        r = t.loc[c]
        print(f"| {c} | {fmt(r[('auc', 'single')])} | {fmt(r[('ap', 'single')])} | {int(r[('wins_vs_knn', 'single')])} | "
              f"{fmt(r[('auc', 'ensz')])} | {fmt(r[('ap', 'ensz')])} | {int(r[('wins_vs_knn', 'ensz')])} | "
              f"{r[('min_delta_vs_knn', 'ensz')]:+.4f} | {fmt(r[('auc', 'ensmad')])} |")


table("base@100", "All candidate scores on the reference training (100 epochs), sorted by ens5 (z) AUC",
      filt=lambda c: "_c" not in c)

print("\n### Training variants (mean AUC / AUPRC; single = mean over 5 init seeds; ens = 5-member z-averaged)\n")
cands = ["mse", "nmean", "lknn", "maha", "nmean+lknn.med", "nmean+iknn.med", "mse+iknn.med", "nmean+maha.med",
         "nmean+lknn+iknn.med"]
configs = ["base@100", "base@50", "base@25", "base@10", "es10", "es20", "dn0.1@100", "dn0.3@100", "dn0.5@100",
           "rand@100", "fb@100"]
print("| config | " + " | ".join(f"{c} single | {c} ens" for c in cands) + " |")
print("|---|" + "---:|" * (2 * len(cands)))
cfg_seeds = d.groupby("config").seed.nunique()
for cf in configs:
    if cfg_seeds.get(cf, 0) != len(seeds):
        continue  # run on fewer data seeds (e.g. confirmation seeds train only the reference models)
    cells = []
    for c in cands:
        for k in ("single", "ensz"):
            try:
                r = pm.loc[(cf, k, c)]
                cells.append(f"{fmt(r.auc, 3)} / {fmt(r.ap, 3)}")
            except KeyError:
                cells.append("")
    print(f"| {cf} | " + " | ".join(cells) + " |")

print("\n### Capping the stored reference rows (base@100; only shuttle, letter, satellite have more FIT rows than 2048)\n")
capc = ["lknn", "iknn", "nmean+lknn.med", "nmean+iknn.med", "mse+iknn.med", "mse+lknn.med"]
print("| candidate | kind | all rows | cap 4096 | cap 2048 | shuttle all / 4096 / 2048 | letter all / 4096 / 2048 | satellite all / 2048 |")
print("|---|---|---:|---:|---:|---|---|---|")
for c in capc:
    base, _, how = c.partition(".")
    for k in ("single", "ensz"):
        def nm(cap):
            if not cap:
                return c
            parts = base.split("+")
            parts[-1] = parts[-1] + f"_c{cap}"
            return "+".join(parts) + ("." + how if how else "")
        vals = [pm.loc[("base@100", k, nm(cap))].auc for cap in (None, 4096, 2048)]
        per = lambda s, caps: " / ".join(fmt(ps.loc[("base@100", k, nm(cp), s)].auc) for cp in caps)
        print(f"| {c} | {k} | {fmt(vals[0])} | {fmt(vals[1])} | {fmt(vals[2])} | {per('shuttle', (None, 4096, 2048))} | "
              f"{per('letter', (None, 4096, 2048))} | {per('satellite', (None, 2048))} |")

if TOP:
    print("\n### Per-set AUC (AUPRC) of the selected candidates\n")
    cols = [t.split("/") for t in TOP]
    print("| set | ref AE (mse) | " + " | ".join(f"{cf} {k} {c}" for cf, k, c in cols) + " | knn | iforest |")
    print("|---|" + "---:|" * (len(cols) + 3))
    for s in sets + ["**mean**"]:
        print(f"| {s} | {cell(ps, s, ('base@100', 'single', 'mse'))} | " + " | ".join(cell(ps, s, tuple(x)) for x in cols)
              + baseline_cells(s))

if COMBOS:
    c = pd.concat([pd.read_csv(p) for p in COMBOS])
    c["kind"] = c.member.where(~c.member.str.startswith("m"), "single")
    cps = c.groupby(["config", "kind", "cand", "set"])[["auc", "ap"]].mean()
    cpm = cps.groupby(["config", "kind", "cand"]).mean()
    w = cps.auc.unstack("set")[sets].sub(knn_set[sets], axis=1)
    cpm["wins"] = (w > 0).sum(1)
    print(f"\n### Round 2: combination rules and weights (explore_combos.py; data seeds {sorted(c.seed.unique())})\n")
    print("Rows sorted by ens5 AUC on the trained reference (base@100); 'init' = the same networks untrained.\n")
    print("| candidate | base@100 single AUC / AUPRC | base@100 ens5 AUC / AUPRC | wins vs knn (ens) | init single AUC | init ens5 AUC |")
    print("|---|---:|---:|---:|---:|---:|")
    t = cpm.loc["base@100"].unstack("kind")
    ti = cpm.loc["init"].unstack("kind") if "init" in cpm.index.get_level_values(0) else None
    for cand in t[("auc", "ensz")].sort_values(ascending=False).index:
        r = t.loc[cand]
        ri = ti.loc[cand] if ti is not None else None
        print(f"| {cand} | {fmt(r[('auc', 'single')])} / {fmt(r[('ap', 'single')])} | {fmt(r[('auc', 'ensz')])} / "
              f"{fmt(r[('ap', 'ensz')])} | {int(r[('wins', 'ensz')])} | "
              f"{fmt(ri[('auc', 'single')]) if ri is not None else ''} | {fmt(ri[('auc', 'ensz')]) if ri is not None else ''} |")
    CTOP = [t.split("/") for a in sys.argv[1:] if a.startswith("--ctop=") for t in a[7:].split(";")]
    if CTOP:
        print("\n### Per-set AUC (AUPRC), round-2 candidates\n")
        print("| set | " + " | ".join(f"{cf} {k} {cd}" for cf, k, cd in CTOP) + " | knn | iforest |")
        print("|---|" + "---:|" * (len(CTOP) + 2))
        for s_ in sets + ["**mean**"]:
            print(f"| {s_} | " + " | ".join(cell(cps, s_, tuple(x)) for x in CTOP) + baseline_cells(s_))
