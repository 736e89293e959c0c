#!/usr/bin/env bash
# Instructions per call, counted by callgrind (benches/callgrind.rs): the
# core's `evaluate` with 3 and 1,000 origins, and each library of the
# side-by-side comparison (benches/adapters.rs) on its two requests.
# Noise-free, so a cross-check of the criterion timings on a busy machine.
# Needs valgrind (apt-get install valgrind). Run from the repository root.
# The table is also saved to target/callgrind.txt, which
# `python3 benches/report.py record` reads.
#
# `CALLGRIND_ONE_CGU=1 bash benches/callgrind.sh` counts the same cases in a
# build of one codegen unit (its own target directory, target/one-cgu; the
# table goes to target/callgrind-one-cgu.txt and is not recorded). Which
# functions the compiler inlines depends on how a build is split into
# codegen units, and moved rows by 30 to 200 instructions after changes
# elsewhere (issue 17): a saving that holds in both builds is not an
# accident of inlining.
set -euo pipefail
table=target/callgrind.txt
if [ "${CALLGRIND_ONE_CGU:-}" = 1 ]; then
  export CARGO_PROFILE_BENCH_CODEGEN_UNITS=1 CARGO_TARGET_DIR=target/one-cgu
  table=target/callgrind-one-cgu.txt
fi
exe=$(cargo bench -p cors-policy --bench callgrind --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*callgrind[^"]*\)".*/\1/p' | tail -1)
[ -x "$exe" ] || { echo "callgrind bench binary not found" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" "$exe" >/dev/null 2>&1
# Inclusive counts of each case function, divided by its number of calls
# (RUNS = 10,000 for the core, ADAPTER_RUNS = 2,000 for the adapters,
# ECHO_RUNS = 20 for the echo cases).
callgrind_annotate --inclusive=yes --threshold=100 "$out" \
  | sed -n -E 's/^ *([0-9,]+) .*callgrind::(case_[a-z0-9_]+).*/\2 \1/p' | tr -d ',' \
  | sort -k1,1 -k2,2nr | sort -u -k1,1 \
  | awk '{ runs = ($1 ~ /^case_echo_/) ? 20 : ($1 ~ /^case_(tower|actix)_/) ? 2000 : 10000;
           printf "%-30s %10.0f instructions per call\n", $1, $2 / runs }' \
  | tee "$table"
