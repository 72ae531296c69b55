#!/usr/bin/env python3
"""Compare two results documents with the SPEC §9 tolerance and print the
benchmark table from the two timing files.

Usage: compare.py GOLDEN OURS [REF_TIMINGS OUR_TIMINGS REF_TIME_V OUR_TIME_V]
"""
import json
import re
import sys

INFORMATIONAL = {"iterations", "converged", "max_abs_score", "score_norm", "dep_update_scale",
                 "exchangeable_corr_at_final_params", "packages"}


def walk(path, g, o, out, worst):
    if isinstance(g, dict):
        if not isinstance(o, dict):
            out.append(f"{path}: not an object")
            return
        for k, gv in g.items():
            if k in INFORMATIONAL:
                if k not in o:
                    out.append(f"{path}.{k}: missing")
                elif k == "iterations" and path.endswith("_gee") and gv != o[k]:
                    out.append(f"{path}.{k}: warning: {o[k]} vs {gv}" if abs(gv - o[k]) <= 1
                               else f"{path}.{k}: {o[k]} vs {gv}")
                continue
            if k not in o:
                out.append(f"{path}.{k}: missing")
            else:
                walk(f"{path}.{k}", gv, o[k], out, worst)
        for k in o:
            if k not in g:
                out.append(f"{path}.{k}: not in reference")
    elif isinstance(g, list):
        if not isinstance(o, list) or len(o) != len(g):
            out.append(f"{path}: list differs")
            return
        for i, (a, b) in enumerate(zip(g, o)):
            walk(f"{path}[{i}]", a, b, out, worst)
    elif isinstance(g, bool) or g is None or isinstance(g, str):
        if g != o:
            out.append(f"{path}: {o!r} vs {g!r}")
    elif isinstance(g, int):
        if not isinstance(o, int) or o != g:
            out.append(f"{path}: count {o!r} vs {g!r}")
    else:
        if not isinstance(o, (int, float)) or isinstance(o, bool):
            out.append(f"{path}: {o!r} vs {g!r}")
            return
        err = abs(o - g)
        rel = err / abs(g) if g != 0 else err
        if rel > worst[0]:
            worst[0], worst[1] = rel, path
        if not err <= 1e-6 * abs(g) + 1e-12:
            out.append(f"{path}: {o!r} vs {g!r} (rel {rel:.2e})")


def cpu(path):
    txt = open(path).read()
    u = float(re.search(r"User time \(seconds\): ([\d.]+)", txt).group(1))
    s = float(re.search(r"System time \(seconds\): ([\d.]+)", txt).group(1))
    return u + s


def peak_and_wall(path):
    txt = open(path).read()
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt).group(1))
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", txt).group(1)
    secs = 0.0
    for part in w.split(":"):
        secs = secs * 60 + float(part)
    return secs, kb / 1024.0


def main():
    g = json.load(open(sys.argv[1]))
    o = json.load(open(sys.argv[2]))
    out, worst = [], [0.0, ""]
    walk("", g, o, out, worst)
    hard = [x for x in out if "warning:" not in x]
    print(f"agreement: {'OK' if not hard else 'FAIL'}; largest relative difference {worst[0]:.2e} at {worst[1]}")
    for x in out:
        print("  " + x)
    if len(sys.argv) > 3:
        rt = json.load(open(sys.argv[3]))
        ot = json.load(open(sys.argv[4]))
        rw, rm = peak_and_wall(sys.argv[5])
        ow, om = peak_and_wall(sys.argv[6])
        ref = rt["block_total_s"]
        print()
        print("| block | reference.py s | handoff s | speed-up |")
        print("|---|---:|---:|---:|")
        ref_load = ref.get("load_csv", 0.0) + ref.get("derive", 0.0)
        rows = [("load + derive", ref_load, ot["load_and_derive"])]
        for k in ["recidivism_6m", "felony_followup", "arrest_rate", "housing_gee", "employment_gee",
                  "income_gee", "survival_first_arrest", "cost_change", "equity_rri", "ipw"]:
            rows.append((k, ref[k], ot[k]))
        for name, a, b in rows:
            print(f"| {name} | {a:.3f} | {b:.4f} | {a / max(b, 1e-6):.0f}× |")
        print(f"| **whole run (wall)** | **{rw:.2f}** | **{ow:.2f}** | **{rw / ow:.0f}×** |")
        rc, oc = cpu(sys.argv[5]), cpu(sys.argv[6])
        print(f"| whole run (CPU, user+sys) | {rc:.2f} | {oc:.2f} | {rc / oc:.0f}× |")
        print(f"| **peak memory (MiB)** | **{rm:.0f}** | **{om:.0f}** | **{om / rm:.2f} of reference** |")
    sys.exit(1 if hard else 0)


if __name__ == "__main__":
    main()
