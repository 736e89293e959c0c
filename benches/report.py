#!/usr/bin/env python3
"""The performance figures of the docs, from one set of results.

    python3 benches/report.py record [--callgrind FILE] [CRITERION_DIR ...]
    python3 benches/report.py          # render
    python3 benches/report.py check    # exit 1 if a generated file is stale

`record` reads the instruction counts of `bash benches/callgrind.sh`
(target/callgrind.txt by default) and criterion's results (the folders
given, one per run of `cargo bench --workspace --bench adapters` and
`cargo bench -p cors-policy --bench evaluate`; target/criterion by
default), writes them to benches/results.json, and renders.

`render` (no argument) writes, from benches/results.json alone:
- docs/performance.svg, the chart the README shows: the cost each library
  adds per request over the bare service, in instructions and in time,
  with the floor and the limit marked;
- the blocks between `<!-- report:NAME -->` and `<!-- /report:NAME -->` in
  benches/RESULTS.md (`summary`, `details`, `tower`, `actix`) and their
  copies in README.md (`summary`) and the tower and actix crates' docs
  (`tower`, `actix`; `tests/performance_docs.rs` checks that each copy is
  the block of benches/RESULTS.md).

No dependency beyond Python 3's standard library.
"""

import json
import os
import re
import statistics
import subprocess
import sys
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS_JSON = os.path.join(ROOT, "benches", "results.json")
RESULTS_MD = os.path.join(ROOT, "benches", "RESULTS.md")
README = os.path.join(ROOT, "README.md")
CHART = os.path.join(ROOT, "docs", "performance.svg")
CRATE_DOCS = {
    "tower": os.path.join(ROOT, "adapters", "tower", "src", "lib.rs"),
    "actix": os.path.join(ROOT, "adapters", "actix", "src", "lib.rs"),
    "core": os.path.join(ROOT, "src", "lib.rs"),
}

# (stack, request, competitor)
ROWS = [
    ("tower", "preflight", "tower-http"),
    ("tower", "actual", "tower-http"),
    ("actix", "preflight", "actix-cors"),
    ("actix", "actual", "actix-cors"),
]
LIMIT_GOAL = 1.10
THIRD_GOAL = 1 / 3
# The core's decision on each request, as the adapters call it
# (`evaluate_with`): the callgrind case, and the criterion id.
DECISION_CASE = {"preflight": "case_3_preflight_with_options", "actual": "case_3_hit_with_options"}


# ---------------------------------------------------------------- record

def criterion_median(root, *parts):
    path = os.path.join(root, *parts, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None


def criterion_run(root):
    """{criterion id: median ns} of one folder."""
    out = {}
    for group in ["tower", "actix", "floor", "decision", "evaluate", "origins"]:
        gdir = os.path.join(root, group)
        if not os.path.isdir(gdir):
            continue
        for dirpath, dirnames, filenames in os.walk(gdir):
            if os.path.basename(dirpath) == "new" and "estimates.json" in filenames:
                rel = os.path.relpath(os.path.dirname(dirpath), root)
                if "report" in rel.split(os.sep):
                    continue
                v = criterion_median(root, rel)
                if v is not None:
                    out[rel.replace(os.sep, "/")] = v
    return out


def read_callgrind(path):
    counts = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"(case_\w+)\s+(\d+) instructions per call", line)
            if m:
                counts[m.group(1)] = int(m.group(2))
    return counts


def git(*args):
    try:
        return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def record(args):
    callgrind = os.path.join(ROOT, "target", "callgrind.txt")
    dirs = []
    while args:
        a = args.pop(0)
        if a == "--callgrind":
            callgrind = args.pop(0)
        else:
            dirs.append(a)
    dirs = dirs or [os.path.join(ROOT, "target", "criterion")]
    runs = [criterion_run(d) for d in dirs]
    try:
        rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        rustc = "unknown"
    data = {
        "recorded": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "rustc": rustc,
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} when recorded",
        "instructions": read_callgrind(callgrind),
        "criterion_runs": runs,
    }
    with open(RESULTS_JSON, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.relpath(RESULTS_JSON, ROOT)} ({len(runs)} criterion runs, "
          f"{len(data['instructions'])} callgrind cases)")


# ---------------------------------------------------------------- figures

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def figures(data):
    """Per row: instructions (ours, theirs, bare, floor, floor as a layer,
    decision, limit, ratios) and times (medians over runs of what each adds
    over bare, ratios per run)."""
    ins = data["instructions"]
    runs = data["criterion_runs"]
    out = []
    for stack, req, theirs in ROWS:
        i = lambda who: ins.get(f"case_{stack}_{who}_{req}")
        r = {"stack": stack, "req": req, "theirs_name": theirs}
        r["i_bare"], r["i_ours"], r["i_theirs"] = i("bare"), i("ours"), i("theirs")
        r["i_floor"], r["i_floor_layer"] = i("floor"), i("floorlayer")
        r["i_decision"] = ins.get(DECISION_CASE[req])
        if None not in (r["i_floor"], r["i_decision"]):
            r["i_limit"] = r["i_floor"] + r["i_decision"]
            r["limit_ratio"] = r["i_ours"] / r["i_limit"]
            r["third"] = (r["i_ours"] - r["i_floor"]) / (r["i_theirs"] - r["i_floor"])
            r["i_vs_theirs"] = (r["i_ours"] - r["i_bare"]) / (r["i_theirs"] - r["i_bare"])
            r["framework"] = r["i_floor_layer"] - r["i_floor"] if r["i_floor_layer"] else None
            r["glue"] = (r["i_ours"] - r["i_floor_layer"] - r["i_decision"]
                         if r["i_floor_layer"] else None)
        # time
        per_run = []
        for run in runs:
            g = lambda lib: run.get(f"{stack}/{lib}/{req}")
            bare, ours, th = g("bare"), g("cors-policy"), g(theirs)
            floor, dec = run.get(f"floor/{stack}/{req}"), run.get(f"decision/core/{req}")
            if None in (bare, ours, th):
                continue
            per_run.append({
                "ours": ours - bare, "theirs": th - bare,
                "ratio": (ours - bare) / (th - bare),
                "floor": None if floor is None else floor - bare,
                "limit": None if None in (floor, dec) else floor - bare + dec,
            })
        r["t_runs"] = per_run
        for k in ["ours", "theirs", "ratio", "floor", "limit"]:
            r["t_" + k] = med([p[k] for p in per_run])
        out.append(r)
    return out


def runs(r):
    k = len(r["t_runs"])
    return f"{k} run" if k == 1 else f"{k} runs"


def n(x):
    return "n/a" if x is None else f"{x:,.0f}"


def ns(x):
    return "n/a" if x is None else (f"{x:.0f} ns" if abs(x) >= 10 else f"{x:.1f} ns")


def f2(x):
    return "n/a" if x is None else f"{x:.2f}"


def mark(ok):
    return "met" if ok else "**not met**"


# ---------------------------------------------------------------- blocks

def summary_block(data, rows):
    lines = [
        f"Recorded {data['recorded']} on `{data['commit']}` ({data['rustc']}; {data['machine']}).",
        "Time: median over "
        f"{len(data['criterion_runs'])} runs of `cargo bench --workspace --bench adapters` of what each",
        "library adds to the bare service's median in the same run. Instructions: `bash benches/callgrind.sh`.",
        "The floor writes the headers each request needs the cheapest way we know and decides",
        "nothing; the limit is the floor plus the core's decision alone.",
        "",
        "| stack | request | time added: cors-policy / competitor | ours ÷ theirs (time) "
        "| instructions: cors-policy / floor / limit / competitor | ours ÷ limit (goal ≤ 1.10) "
        "| (ours − floor) ÷ (theirs − floor) (goal ≤ 0.33) |",
        "|---|---|---|---:|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['stack']} | {r['req']} | {ns(r['t_ours'])} / {ns(r['t_theirs'])} ({r['theirs_name']}) "
            f"| {f2(r['t_ratio'])} | {n(r['i_ours'])} / {n(r['i_floor'])} / {n(r.get('i_limit'))} / "
            f"{n(r['i_theirs'])} | {f2(r.get('limit_ratio'))} | {f2(r.get('third'))} |"
        )
    return "\n".join(lines)


def details_block(data, rows):
    ins = data["instructions"]
    lines = ["### Instructions per request (callgrind)", "",
             "| stack | request | bare | cors-policy | competitor | floor | floor as a layer "
             "| decision | limit | ours ÷ limit | (ours − floor) ÷ (theirs − floor) "
             "| ours ÷ theirs (added over bare) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['stack']} | {r['req']} | {n(r['i_bare'])} | {n(r['i_ours'])} | {n(r['i_theirs'])} "
            f"| {n(r['i_floor'])} | {n(r['i_floor_layer'])} | {n(r['i_decision'])} "
            f"| {n(r.get('i_limit'))} | {f2(r.get('limit_ratio'))} {mark(r.get('limit_ratio', 9) <= LIMIT_GOAL)} "
            f"| {f2(r.get('third'))} {mark(r.get('third', 9) <= THIRD_GOAL)} | {f2(r.get('i_vs_theirs'))} |")
    lines += ["", "What stands between each row and its limit, in instructions: the framework's share "
              "(the floor as a layer less the floor: what the framework makes any layer pay) and ours "
              "(the rest: viewing the request, the embedding API's values, the response future's state).", "",
              "| stack | request | ours − limit | framework | ours |", "|---|---|---:|---:|---:|"]
    for r in rows:
        if r.get("i_limit") is None:
            continue
        lines.append(f"| {r['stack']} | {r['req']} | {n(r['i_ours'] - r['i_limit'])} "
                     f"| {n(r.get('framework'))} | {n(r.get('glue'))} |")
    lines += ["", f"### Time per request (criterion, {len(data['criterion_runs'])} runs)", "",
              "| stack | request | cors-policy added | competitor added | floor added | limit added "
              "| ours ÷ theirs, median (each run) |",
              "|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        each = ", ".join(f2(p["ratio"]) for p in r["t_runs"])
        goal = "" if r["t_ratio"] is None else (" below 1" if r["t_ratio"] < 1 else " **not below 1**")
        lines.append(f"| {r['stack']} | {r['req']} | {ns(r['t_ours'])} | {ns(r['t_theirs'])} "
                     f"| {ns(r['t_floor'])} | {ns(r['t_limit'])} | {f2(r['t_ratio'])} ({each}){goal} |")
    # the core
    runs = data["criterion_runs"]
    names = sorted({k.split("/", 1)[1] for run in runs for k in run if k.startswith("evaluate/")})
    if names:
        lines += ["", "### The core: `evaluate` on named inputs (3-origin policy, 20 allowed headers)", "",
                  f"| input | median of {len(runs)} runs |", "|---|---:|"]
        for name in names:
            lines.append(f"| {name} | {ns(med([run.get('evaluate/' + name) for run in runs]))} |")
    cases = ["hit", "near_miss", "near_miss_longer", "preflight_hit"]
    origin_rows = []
    for c in cases:
        t = med([run.get(f"origins/3/{c}") for run in runs])
        m = med([run.get(f"origins/1000/{c}") for run in runs])
        if t and m:
            origin_rows.append(f"| {c} | {ns(t)} | {ns(m)} | {m / t:.2f} | {mark(m / t <= 1.5)} |")
    if origin_rows:
        lines += ["", "### The core: 1,000 origins against 3 (goal: at most 1.5 times)", "",
                  "| request | 3 origins | 1,000 origins | ratio | goal |", "|---|---:|---:|---:|---|"]
        lines += origin_rows
    core = [(k, v) for k, v in sorted(ins.items()) if re.match(r"case_(3|1000|core)_", k)]
    if core:
        lines += ["", "Instructions per `evaluate` call (callgrind; `Request::from_pairs`, whose scan of "
                  "the pairs is included): " + ", ".join(f"`{k[5:]}` {n(v)}" for k, v in core) + "."]
    return "\n".join(lines)


def crate_block(stack, rows):
    import textwrap
    return "\n".join(textwrap.wrap(crate_sentence(stack, rows), 72))


def crate_sentence(stack, rows):
    pre = next(r for r in rows if r["stack"] == stack and r["req"] == "preflight")
    act = next(r for r in rows if r["stack"] == stack and r["req"] == "actual")
    theirs = pre["theirs_name"]
    return (
        f"Measured against {theirs} on the same policy and requests (`benches/RESULTS.md`), "
        f"the cost this layer adds over the bare service is {f2(pre['i_vs_theirs'])} of {theirs}'s on a "
        f"preflight and {f2(act['i_vs_theirs'])} on an actual request in instructions (`bash "
        f"benches/callgrind.sh`), {f2(pre['t_ratio'])} and {f2(act['t_ratio'])} in time (`cargo bench "
        f"--bench adapters`, median of {runs(pre)}); it checks the requested method "
        f"and headers, which {theirs} does not."
        if stack == "tower" else
        f"Measured against {theirs} on the same policy and requests (`benches/RESULTS.md`), "
        f"the cost this middleware adds over the bare application is {f2(pre['i_vs_theirs'])} of "
        f"{theirs}'s on a preflight and {f2(act['i_vs_theirs'])} on an actual request in instructions "
        f"(`bash benches/callgrind.sh`), {f2(pre['t_ratio'])} and {f2(act['t_ratio'])} in time (`cargo "
        f"bench --bench adapters`, median of {runs(pre)})."
    )


def core_block(data):
    import textwrap
    runs = data["criterion_runs"]
    t = lambda name: ns(med([run.get("evaluate/" + name) for run in runs]))
    text = (
        "Measured with criterion on a shared 2-core machine (medians; `cargo bench -p "
        f"cors-policy --bench evaluate`): a simple allowed `GET` {t('simple_get_allowed')}, a "
        f"refused origin {t('actual_refused_origin')}, a preflight with 1 requested header "
        f"{t('preflight_1_header')} and with 20 headers {t('preflight_20_headers')}, an 8 KiB "
        f"origin {t('adversarial_origin_8k')}."
    )
    return "\n".join(textwrap.wrap(text, 72))


# ---------------------------------------------------------------- chart

def svg_chart(data, rows):
    w, left, right = 900, 230, 60
    bar_h, gap, group_gap = 16, 3, 16
    colors = {"ours": "#2563eb", "theirs": "#9ca3af", "floor": "#111827", "limit": "#ea580c"}
    out = []

    def text(x, y, s, size=12, anchor="start", weight="normal", fill="#111827"):
        s = s.replace("&", "&amp;").replace("<", "&lt;")
        out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
                   f'font-weight="{weight}" fill="{fill}">{s}</text>')

    def panel(y0, title, unit, key_ours, key_theirs, key_floor, key_limit, fmt):
        vals = [r[k] for r in rows for k in (key_ours, key_theirs, key_floor, key_limit)
                if r.get(k) is not None]
        top = max(vals) * 1.12 if vals else 1
        scale = (w - left - right) / top
        text(left, y0, title, 13, weight="bold")
        y = y0 + 14
        for r in rows:
            group_top = y
            for who, key, name in [("ours", key_ours, "cors-policy"),
                                   ("theirs", key_theirs, r["theirs_name"])]:
                v = r.get(key)
                if v is None:
                    continue
                bw = max(v, 0) * scale
                out.append(f'<rect x="{left}" y="{y:.1f}" width="{bw:.1f}" height="{bar_h}" '
                           f'fill="{colors[who]}"/>')
                text(left - 6, y + bar_h - 4, name, 11, "end", fill="#374151")
                text(left + bw + 4, y + bar_h - 4, fmt(v), 11)
                y += bar_h + gap
            text(8, group_top + bar_h, f"{r['stack']} {r['req']}", 12, weight="bold")
            for key, dash in [(key_floor, "4,3"), (key_limit, "")]:
                v = r.get(key)
                if v is None:
                    continue
                x = left + v * scale
                stroke = colors["floor"] if key == key_floor else colors["limit"]
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(f'<line x1="{x:.1f}" y1="{group_top - 3:.1f}" x2="{x:.1f}" '
                           f'y2="{y - gap + 3:.1f}" stroke="{stroke}" stroke-width="2"{dash_attr}/>')
            y += group_gap
        out.append(f'<line x1="{left}" y1="{y0 + 8}" x2="{left}" y2="{y - group_gap + 4:.1f}" '
                   f'stroke="#6b7280" stroke-width="1"/>')
        text(w - right, y - 4, unit, 11, "end", fill="#6b7280")
        return y + 10

    y = 24
    text(8, y, "Cost each library adds per request to the same service (less is better)", 15, weight="bold")
    y += 20
    lx = 8
    for key, label in [("ours", "cors-policy"), ("theirs", "tower-http / actix-cors")]:
        out.append(f'<rect x="{lx}" y="{y - 10}" width="12" height="12" fill="{colors[key]}"/>')
        text(lx + 16, y, label, 12)
        lx += 24 + 7 * len(label)
    for key, label, dash in [("floor", "floor: writing the headers, deciding nothing", "4,3"),
                             ("limit", "limit: floor + the core's decision", "")]:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" y1="{y - 10}" x2="{lx}" y2="{y + 2}" stroke="{colors[key]}" '
                   f'stroke-width="2"{dash_attr}/>')
        text(lx + 6, y, label, 12)
        lx += 16 + 6.4 * len(label)
    y += 26
    y = panel(y, "Instructions added over the bare service (callgrind)", "instructions per request",
              "i_ours_added", "i_theirs_added", "i_floor_added", "i_limit_added", lambda v: f"{v:,.0f}")
    y = panel(y + 10, f"Time added over the bare service (criterion, median of {len(data['criterion_runs'])} run{'' if len(data['criterion_runs']) == 1 else 's'})",
              "ns per request", "t_ours", "t_theirs", "t_floor", "t_limit", lambda v: f"{v:.0f} ns")
    text(8, y + 4, f"Recorded {data['recorded']} on {data['commit']}; regenerate: "
         "python3 benches/report.py (benches/RESULTS.md)", 11, fill="#6b7280")
    h = y + 16
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h:.0f}" '
            f'viewBox="0 0 {w} {h:.0f}" font-family="Helvetica, Arial, sans-serif">\n'
            f'<rect width="100%" height="100%" fill="#ffffff"/>\n' + "\n".join(out) + "\n</svg>\n")


# ---------------------------------------------------------------- render

def replace_block(text, name, body, prefix=""):
    """Replaces the lines between the markers of block `name` (each line of
    `body` prefixed, for doc comments)."""
    start = re.compile(rf"^{re.escape(prefix)}<!-- report:{name} -->$", re.M)
    end = re.compile(rf"^{re.escape(prefix)}<!-- /report:{name} -->$", re.M)
    s, e = start.search(text), end.search(text)
    if not s or not e or e.start() < s.end():
        raise SystemExit(f"markers of block {name!r} not found")
    lines = "\n".join((prefix + line).rstrip() for line in body.split("\n"))
    return text[:s.end()] + "\n" + lines + "\n" + text[e.start():]


def rendered():
    """{path: new contents} of every generated file."""
    with open(RESULTS_JSON) as f:
        data = json.load(f)
    rows = figures(data)
    for r in rows:
        for k in ["ours", "theirs", "floor", "limit"]:
            v = r.get(f"i_{k}")
            r[f"i_{k}_added"] = None if v is None or r["i_bare"] is None else v - r["i_bare"]
    blocks = {"summary": summary_block(data, rows), "details": details_block(data, rows),
              "tower": crate_block("tower", rows), "actix": crate_block("actix", rows),
              "core": core_block(data)}
    files = {}
    with open(RESULTS_MD) as f:
        text = f.read()
    for name in ["summary", "details", "tower", "actix", "core"]:
        text = replace_block(text, name, blocks[name])
    files[RESULTS_MD] = text
    with open(README) as f:
        files[README] = replace_block(f.read(), "summary", blocks["summary"])
    for name, path in CRATE_DOCS.items():
        with open(path) as f:
            files[path] = replace_block(f.read(), name, blocks[name], prefix="//! ")
    files[CHART] = svg_chart(data, rows)
    return files


def main():
    args = sys.argv[1:]
    if args and args[0] == "record":
        record(args[1:])
        args = []
    if args and args[0] == "check":
        stale = []
        for path, text in rendered().items():
            try:
                with open(path) as f:
                    if f.read() != text:
                        stale.append(path)
            except OSError:
                stale.append(path)
        for p in stale:
            print(f"stale: {os.path.relpath(p, ROOT)} (run python3 benches/report.py)")
        sys.exit(1 if stale else 0)
    if args:
        raise SystemExit(__doc__)
    for path, text in rendered().items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
