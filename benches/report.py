#!/usr/bin/env python3
"""Reads criterion's results (target/criterion by default, or the folders
given, one per run) and prints the Markdown tables of benches/RESULTS.md:
medians, the cost each layer adds over `bare` in the same run, our added
cost as a fraction of tower-http's and actix-cors's, and the 1,000- vs
3-origin ratio of the core. With several runs it also prints the spread.

    python3 benches/report.py [CRITERION_DIR ...]
"""

import json
import os
import statistics
import sys

GROUPS = {
    "tower": ["bare", "cors-policy", "tower-http"],
    "actix": ["bare", "cors-policy", "actix-cors"],
}
REQS = ["preflight", "actual"]
OURS = "cors-policy"


def median_ns(root, *parts):
    path = os.path.join(root, *parts, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None


def fmt(x, unit="ns"):
    return "n/a" if x is None else f"{x:.0f} {unit}" if x >= 10 else f"{x:.1f} {unit}"


def ratio(a, b):
    return None if a is None or b is None or b <= 0 else a / b


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}"


def one_run(root):
    """{(group, lib, req): median ns} for one criterion folder."""
    out = {}
    for group, libs in GROUPS.items():
        for lib in libs:
            for req in REQS:
                out[(group, lib, req)] = median_ns(root, group, lib, req)
    for req in REQS:
        out[("floor", "tower", req)] = median_ns(root, "floor", "tower", req)
    for pol in ["3", "1000"]:
        for case in ["hit", "near_miss", "near_miss_longer", "preflight_hit"]:
            out[("origins", pol, case)] = median_ns(root, "origins", pol, case)
    return out


def main():
    roots = sys.argv[1:] or [os.path.join("target", "criterion")]
    runs = [one_run(r) for r in roots]

    print("### Side by side (median per request; added = median - `bare` median of the same run)\n")
    print("| group | request | library | median | added over `bare` | ours / theirs (added) | goal <= 0.33 |")
    print("|---|---|---|---:|---:|---:|---|")
    summary = []
    for group, libs in GROUPS.items():
        theirs = libs[2]
        for req in REQS:
            # Per run, then the median over runs of each quantity.
            med = {}
            added = {}
            for lib in libs:
                vals = [r[(group, lib, req)] for r in runs if r[(group, lib, req)] is not None]
                med[lib] = statistics.median(vals) if vals else None
                adds = [
                    r[(group, lib, req)] - r[(group, "bare", req)]
                    for r in runs
                    if r[(group, lib, req)] is not None and r[(group, "bare", req)] is not None
                ]
                added[lib] = statistics.median(adds) if adds else None
            ratios = [
                ratio(r[(group, OURS, req)] - r[(group, "bare", req)],
                      r[(group, theirs, req)] - r[(group, "bare", req)])
                for r in runs
                if None not in (r[(group, OURS, req)], r[(group, theirs, req)], r[(group, "bare", req)])
            ]
            ratios = [x for x in ratios if x is not None]
            rmed = statistics.median(ratios) if ratios else None
            for lib in libs:
                cell = fmt_ratio(rmed) if lib == OURS else ""
                goal = ""
                if lib == OURS and rmed is not None:
                    goal = "met" if rmed <= 1 / 3 else "MISSED"
                print(f"| {group} | {req} | {lib} | {fmt(med[lib])} | "
                      f"{'-' if lib == 'bare' else fmt(added[lib])} | {cell} | {goal} |")
            summary.append((group, req, theirs, ratios))

    if len(runs) > 1:
        print(f"\nOurs / theirs (added cost) in each of the {len(runs)} runs:\n")
        for group, req, theirs, ratios in summary:
            print(f"- {group} {req} vs {theirs}: " + ", ".join(fmt_ratio(x) for x in ratios))

    floor = []
    for req in REQS:
        adds, fr = [], []
        for r in runs:
            f, b, t = r.get(("floor", "tower", req)), r[("tower", "bare", req)], r[("tower", "tower-http", req)]
            if None not in (f, b, t):
                adds.append(f - b)
                fr.append(ratio(f - b, t - b))
        if adds:
            floor.append((req, statistics.median(adds), statistics.median([x for x in fr if x is not None])))
    if floor:
        print("\n### The floor (group `floor`: writing the headers, deciding nothing)\n")
        print("| request | added over `tower/bare` | / tower-http's added |")
        print("|---|---:|---:|")
        for req, a, fr in floor:
            print(f"| {req} | {fmt(a)} | {fmt_ratio(fr)} |")

    names = []
    for r in roots:
        d = os.path.join(r, "evaluate")
        if os.path.isdir(d):
            names = sorted(n for n in os.listdir(d) if n != "report")
            break
    if names:
        print("\n### Core: `evaluate` on named inputs (3-origin policy, 20 allowed headers)\n")
        print("| input | median |")
        print("|---|---:|")
        for n in names:
            vals = [v for v in (median_ns(r, "evaluate", n) for r in roots) if v is not None]
            print(f"| {n} | {fmt(statistics.median(vals)) if vals else 'n/a'} |")

    rows = []
    for case in ["hit", "near_miss", "near_miss_longer", "preflight_hit"]:
        three = [r[("origins", "3", case)] for r in runs if r[("origins", "3", case)]]
        many = [r[("origins", "1000", case)] for r in runs if r[("origins", "1000", case)]]
        if three and many:
            t, m = statistics.median(three), statistics.median(many)
            rows.append((case, t, m, m / t))
    if rows:
        print("\n### Core: `evaluate`, 1,000 origins vs 3 (goal: ratio <= 1.5)\n")
        print("| request | 3 origins | 1,000 origins | ratio | goal |")
        print("|---|---:|---:|---:|---|")
        for case, t, m, r in rows:
            print(f"| {case} | {fmt(t)} | {fmt(m)} | {r:.2f} | {'met' if r <= 1.5 else 'MISSED'} |")


if __name__ == "__main__":
    main()
