#!/usr/bin/env python3
"""Run Handoff and Splink on the same data in the same run; write the table.

For each dataset both engines run as separate processes under /usr/bin/time -v
(wall time of the whole process, peak RSS); their pairs are scored by the same
evaluate.py at match probability 0.5. Splink's candidate-pair count comes from
its own blocking analysis (run_splink.py --count-pairs, untimed); Handoff's
from its summary line.

Usage (run.sh sets up the environment):
  python bench.py [--datasets febrl4,febrl3,people_small,people_large] [--repeat N]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402

DATA = os.environ.get("LINKBENCH_DATA_DIR", os.path.join(HERE, "data"))
LARGE = os.environ.get("LINKBENCH_LARGE_DIR", os.path.join(HERE, "large"))
OUT = os.path.join(HERE, "out")
HANDOFF = os.environ.get("HANDOFF_BIN", os.path.join(HERE, "..", "..", "target", "release", "handoff"))

DATASETS = {
    "febrl4": dict(task="febrl4", mode="link", files=[f"{DATA}/febrl4_a.csv", f"{DATA}/febrl4_b.csv"],
                   truth=f"{DATA}/febrl4_truth.csv", label="FEBRL4 (link, 5k × 5k)"),
    "febrl3": dict(task="febrl3", mode="dedupe", files=[f"{DATA}/febrl3.csv"], truth=f"{DATA}/febrl3_truth.csv",
                   label="FEBRL3 (dedupe, 5k)"),
    "people_small": dict(task="people", mode="link",
                         files=[f"{DATA}/people_small_registry.csv", f"{DATA}/people_small_events.csv"],
                         truth=f"{DATA}/people_small_truth.csv", label="people small (10k × 50k)"),
    "people_large": dict(task="people", mode="link",
                         files=[f"{LARGE}/people_large_registry.csv", f"{LARGE}/people_large_events.csv"],
                         truth=f"{LARGE}/people_large_truth.csv", label="people large (100k × 1M)"),
}


def timed(cmd, log):
    """Run cmd under /usr/bin/time -v; return (wall seconds, peak RSS MB, stderr text)."""
    with open(log, "w") as f:
        p = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=f, stderr=subprocess.PIPE, text=True, cwd=HERE)
    err = p.stderr
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
    wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    return wall, rss, err


def evaluate_csv(ds, pred_csv, id_cols):
    con = duckdb.connect()
    evaluate.load_truth_pairs(con, ds["task"], ds["truth"])
    l, r = id_cols
    con.execute(f"create table preds as select {l}::varchar id_l, {r}::varchar id_r, "
                f"match_probability::double match_probability from read_csv('{pred_csv}', all_varchar=true)")
    return evaluate.pairwise_metrics(con, "preds", dedupe=(ds["task"] == "febrl3"))["at_0.5"]


def run_handoff(name, ds, rep):
    os.makedirs(f"{OUT}/handoff", exist_ok=True)
    pred = f"{OUT}/handoff/{name}.csv"
    if ds["mode"] == "link":
        cmd = [HANDOFF, "link", "--left", ds["files"][0], "--right", ds["files"][1], "--out", pred,
               "--save-model", f"{OUT}/handoff/{name}.model.json"]
    else:
        cmd = [HANDOFF, "dedupe", "--input", ds["files"][0], "--out", pred,
               "--clusters", f"{OUT}/handoff/{name}.clusters.csv", "--save-model", f"{OUT}/handoff/{name}.model.json"]
    wall, rss, err = timed(cmd, f"{OUT}/handoff/{name}.{rep}.log")
    summary = [line for line in err.splitlines() if line.startswith("handoff ")][-1]
    pairs = int(re.search(r"(\d+) candidate pairs", summary).group(1))
    return dict(wall=wall, rss=rss, pairs=pairs, summary=summary, pred=pred)


def run_splink(name, ds, rep, count):
    os.makedirs(f"{OUT}/splink", exist_ok=True)
    pred = f"{OUT}/splink/{name}.parquet"
    cmd = [sys.executable, "run_splink.py", "--dataset", name, "--out", f"{OUT}/splink", "--save-predictions", pred]
    wall, rss, _ = timed(cmd, f"{OUT}/splink/{name}.{rep}.log")
    with open(f"{OUT}/splink/{name}.json") as f:
        res = json.load(f)
    pairs = None
    if count:
        subprocess.run([sys.executable, "run_splink.py", "--dataset", name, "--out", f"{OUT}/splink", "--count-pairs"],
                       cwd=HERE, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(f"{OUT}/splink/{name}.count.json") as f:
            pairs = json.load(f)["candidate_pairs"]
    return dict(wall=wall, rss=rss, pairs=pairs, metrics=res["pairwise"]["at_0.5"], pred=pred)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", default="febrl4,febrl3,people_small,people_large")
    ap.add_argument("--repeat", type=int, default=1, help="runs per engine and dataset (median reported)")
    ap.add_argument("--no-count", action="store_true", help="skip Splink's candidate-pair count")
    args = ap.parse_args()
    rows = []
    with open("/proc/loadavg") as f:
        print(f"load average at start: {' '.join(f.read().split()[:3])}", file=sys.stderr, flush=True)
    for name in args.datasets.split(","):
        ds = DATASETS[name]
        h_runs, s_runs = [], []
        for rep in range(args.repeat):
            # Alternate the engines so background load affects both alike.
            print(f"[{name}] handoff run {rep + 1}", file=sys.stderr, flush=True)
            h_runs.append(run_handoff(name, ds, rep))
            print(f"[{name}] splink run {rep + 1}", file=sys.stderr, flush=True)
            s_runs.append(run_splink(name, ds, rep, count=(rep == 0 and not args.no_count)))
        h_metrics = evaluate_csv(ds, h_runs[-1]["pred"], ("left_id", "right_id"))
        s_metrics = s_runs[-1]["metrics"]
        for engine, runs, metrics in (("Handoff", h_runs, h_metrics), ("Splink 5 (DuckDB)", s_runs, s_metrics)):
            rows.append(dict(dataset=ds["label"], engine=engine,
                             wall=statistics.median(r["wall"] for r in runs),
                             rss=statistics.median(r["rss"] for r in runs),
                             pairs=runs[0]["pairs"], p=metrics["precision"], r=metrics["recall"], f1=metrics["f1"],
                             walls=[round(r["wall"], 2) for r in runs]))
        print(f"[{name}] handoff: {h_runs[-1]['summary']}", file=sys.stderr, flush=True)
    with open(f"{OUT}/results.json", "w") as f:
        json.dump(rows, f, indent=2)
    lines = ["| dataset | engine | wall | peak RSS | candidate pairs | precision | recall | F1 |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        pairs = f"{r['pairs']:,}" if r["pairs"] is not None else "n/a"
        rss = f"{r['rss'] / 1024:.2f} GB" if r["rss"] >= 1024 else f"{r['rss']:.0f} MB"
        lines.append(f"| {r['dataset']} | {r['engine']} | {r['wall']:.2f} s | {rss} | {pairs} | "
                     f"{r['p']:.4f} | {r['r']:.4f} | {r['f1']:.4f} |")
    lines.append("")
    lines.append("Wall time of each run (s): " + "; ".join(
        f"{r['dataset'].split(' (')[0]} {r['engine'].split(' ')[0]} {r['walls']}" for r in rows) + ".")
    with open("/proc/loadavg") as f:
        lines.append(f"Load average at the end: {' '.join(f.read().split()[:3])} (other jobs share the machine).")
    table = "\n".join(lines) + "\n"
    with open(f"{OUT}/results.md", "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
