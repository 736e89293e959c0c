#!/usr/bin/env python3
"""What each part of the lean layer costs (issue 17; benches/RESULTS.md,
"The lean layer").

    python3 benches/lean_ablations.py

For each part, builds the callgrind bench with that part of
benches/common/lean.rs taken out (or, for `boxed lines`, made like
cors-policy-http's), runs `bash benches/callgrind.sh`, and prints the lean
rows' instructions per request beside the unchanged layer's. The edits are
exact replacements: if lean.rs changed, the script stops and says which
one no longer applies. A part taken out makes the lean layer wrong for
some requests, so its check against ours (`lean::matches_ours` in
benches/callgrind.rs) is skipped while it runs. Both files are restored
afterwards, whatever happens. Needs valgrind; about 30 s a part.
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEAN = os.path.join(ROOT, "benches", "common", "lean.rs")
BENCH = os.path.join(ROOT, "benches", "callgrind.rs")

# (name, what it measures, [(old, new), ...]) applied to lean.rs.
PARTS = [
    ("Origin's single-line check", "`Origin` found with `get` (its first line) instead of `get_all` and two lines",
     [("""        let mut it = map.get_all(&ORIGIN).iter();
        let (o1, o2) = (it.next(), it.next());""",
       """        let (o1, o2): (Option<&HeaderValue>, Option<&HeaderValue>) = (map.get(&ORIGIN), None);""")]),
    ("answers by shape", "one answer made once for every request instead of one per shape of answer",
     [("""        if map.is_empty()
            && let Some(t) = self.shared.template(self.shape, self.vary)""",
       """        static T: OnceLock<HeaderMap> = OnceLock::new();
        if map.is_empty()
            && let Some(t) = Some(T.get_or_init(|| {
                self.shared.template(self.shape, self.vary).cloned().unwrap_or_default()
            }))"""),
      ("""                    if let Some(t) = shared.template(shape, d.vary_value()) {""",
       """                    static P: OnceLock<HeaderMap> = OnceLock::new();
                    if let Some(t) = Some(P.get_or_init(|| {
                        shared.template(shape, d.vary_value()).cloned().unwrap_or_default()
                    })) {""")]),
    ("echo checks", "the request's line echoed without checking it is what the core decided",
     [("""            Some(o) if d.echoes_origin() => echo(o1.filter(|_| o2.is_none()), o),""",
       """            Some(_) if d.echoes_origin() => o1.cloned(),"""),
      ("""                    Some(o) if d.echoes_origin() => own(f0.filter(|_| n0 == 1), Some(o)),""",
       """                    Some(_) if d.echoes_origin() => Ok::<_, ()>(f0.cloned()),"""),
      ("""                let methods = own(f1.filter(|_| n1 == 1), d.allow_methods());""",
       """                let methods = Ok::<_, ()>(f1.cloned().filter(|_| d.allow_methods().is_some()));"""),
      ("""                    (line, _) => own(f2.filter(|_| n2 == 1), line),""",
       """                    (line, _) => Ok::<_, ()>(f2.cloned().filter(|_| line.is_some())),""")]),
    ("boxed lines", "header lines that are not `Copy`: a variant owning a box, cloned by a match, as ours",
     [("""/// The lines of one request header: `Copy`, three words.
#[derive(Clone, Copy)]
pub enum Lines<'r> {""",
       """pub enum Lines<'r> {
    Boxed(Box<(&'r HeaderMap, usize)>),"""),
      ("""impl<'r> Iterator for Lines<'r> {""",
       """impl Clone for Lines<'_> {
    #[inline]
    fn clone(&self) -> Self {
        match *self {
            Lines::Done => Lines::Done,
            Lines::One(v) => Lines::One(v),
            Lines::Deferred(m, n) => Lines::Deferred(m, n),
            Lines::Many(m, n, k) => Lines::Many(m, n, k),
            Lines::Boxed(ref b) => Lines::Boxed(boxed(b)),
        }
    }
}

#[inline(never)]
fn boxed<'r>(b: &(&'r HeaderMap, usize)) -> Box<(&'r HeaderMap, usize)> {
    Box::new(*b)
}

impl<'r> Iterator for Lines<'r> {"""),
      ("""            Lines::Done | Lines::One(_) => None,""",
       """            Lines::Done | Lines::One(_) | Lines::Boxed(_) => None,""")]),
]

CHECK = re.compile(r"^    lean::matches_ours\((.*)\);$", re.M)


def measure():
    out = subprocess.run(["bash", "benches/callgrind.sh"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"benches/callgrind.sh failed:\n{out.stderr[-2000:]}")
    rows = dict(re.findall(r"case_tower_(lean\w*|ours_\w+)\s+(\d+) instructions", out.stdout))
    return {k: int(v) for k, v in rows.items()}


def main():
    lean, bench = open(LEAN).read(), open(BENCH).read()
    if not CHECK.search(bench):
        sys.exit("benches/callgrind.rs: no `lean::matches_ours(...)` call to skip")
    try:
        open(BENCH, "w").write(CHECK.sub(r"    if false { lean::matches_ours(\1); }", bench))
        base = measure()
        names = sorted(k for k in base if k.startswith("lean"))
        print(f"{'part taken out':<30}" + "".join(f"{n:>32}" for n in names))
        print(f"{'(none)':<30}" + "".join(f"{base[n]:>32,}" for n in names))
        for name, what, edits in PARTS:
            text = lean
            for old, new in edits:
                if old not in text:
                    sys.exit(f"{name}: lean.rs no longer has the code this part replaces:\n{old}")
                text = text.replace(old, new)
            open(LEAN, "w").write(text)
            got = measure()
            cells = "".join(f"{f'{got[n]:,} ({got[n] - base[n]:+})':>32}" for n in names)
            print(f"{name:<30}{cells}")
            print(f"  {what}")
    finally:
        open(LEAN, "w").write(lean)
        open(BENCH, "w").write(bench)


if __name__ == "__main__":
    main()
