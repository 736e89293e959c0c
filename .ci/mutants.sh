#!/usr/bin/env bash
# Mutation testing of the lines a change touches (issue 21), run by .ci/run
# from the repository root: cargo-mutants mutates the lines of the core
# (src/), of cors-policy-config (config/src/) and of the answer-writing code
# of cors-policy-http that the change adds or edits, and runs the mutated
# crate's tests on each mutant. A mutant no test notices (MISSED) fails CI;
# a mutant whose tests run past the timeout changed what they observe and
# counts as caught (it is listed). What is mutated, the timeouts and the
# justified exclusions are in .cargo/mutants.toml; TESTING.md has a full
# run's figures.
#
# The change is HEAD against the previous main:
#   - MUTANTS_BASE, when set (a commit recorded by whoever runs CI);
#   - else, on a branch (HEAD is not on main or origin/main): where it
#     forked from main, so the whole branch is examined;
#   - else (HEAD is main, e.g. the merge commit of a branch): HEAD's first
#     parent, the main before the merge.
# A clone without that history (shallow) prints SKIPPED: nothing examined.
# MUTANTS_LIST=1 lists the mutants of the change and tests none.
#
# Bounded: at most MUTANTS_MAX mutants (default 40; about 6 s each on 2
# cores, after about 3 min building the copy cargo-mutants tests in, and
# 6 min installing cargo-mutants on a fresh machine: the 37 mutants of
# issue 21's last round took 417 s in all, the build included). A larger change (a
# rewrite of a whole module) has a deterministic round-robin 1/n of its
# mutants examined, chosen by HEAD's hash, and says SKIPPED for the rest
# with the command that runs them all.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=27.1.0
MAX="${MUTANTS_MAX:-40}"
OUT="${MUTANTS_OUT:-target/mutants-ci}"
# What .cargo/mutants.toml examines (kept in step with its examine_globs).
PATHS=(src config/src adapters/http/src/answer.rs adapters/http/src/write.rs
       adapters/http/src/vary.rs adapters/http/src/respond.rs)

commit() { git rev-parse --verify --quiet "$1^{commit}" 2>/dev/null; }

head=$(git rev-parse HEAD)
base=""
if [ -n "${MUTANTS_BASE:-}" ]; then
  base=$(commit "$MUTANTS_BASE") || { echo "mutants: MUTANTS_BASE=$MUTANTS_BASE is not a commit here"; exit 1; }
  how="MUTANTS_BASE"
else
  for main in main origin/main; do
    if commit "$main" >/dev/null; then
      fork=$(git merge-base HEAD "$main" 2>/dev/null || true)
      if [ -n "$fork" ] && [ "$fork" != "$head" ]; then
        base=$fork
        how="where HEAD forked from $main"
      fi
      break
    fi
  done
  if [ -z "$base" ] && first=$(commit "HEAD^1"); then
    base=$first
    how="HEAD's first parent (the previous main)"
  fi
fi
if [ -z "$base" ]; then
  echo "SKIPPED: mutants: no previous commit to diff against (a shallow clone?); nothing examined"
  exit 0
fi

mkdir -p "$OUT"
diff="$OUT/change.diff"
git diff --no-ext-diff --no-color "$base" HEAD -- "${PATHS[@]}" > "$diff"
echo "mutants: the change is $(git rev-parse --short "$base")..$(git rev-parse --short HEAD) ($how)"
if [ ! -s "$diff" ]; then
  echo "mutants: the change touches none of the mutated code (${PATHS[*]}): no mutant to test"
  exit 0
fi

if [ "$(cargo mutants --version 2>/dev/null)" != "cargo-mutants $VERSION" ]; then
  cargo install cargo-mutants --locked --version "$VERSION"
fi

# The mutants of the change (the same filters as the run below).
count=$(cargo mutants --workspace --in-diff "$diff" --list | wc -l)
echo "mutants: $count mutants in the changed lines"
if [ -n "${MUTANTS_LIST:-}" ]; then
  # MUTANTS_LIST=1: say what would be tested, and test nothing.
  cargo mutants --workspace --in-diff "$diff" --list
  exit 0
fi
if [ "$count" -eq 0 ]; then
  echo "mutants: the changed lines hold no mutant (comments, tests, declarations)"
  exit 0
fi
shard=()
if [ "$count" -gt "$MAX" ]; then
  n=$(( (count + MAX - 1) / MAX ))
  k=$(( 16#${head:0:8} % n ))
  shard=(--shard "$k/$n" --sharding round-robin)
  echo "SKIPPED: mutants: $count mutants exceed the CI bound of $MAX: shard $k/$n is examined" \
       "(every ${n}th mutant); the rest are not. All of them:" \
       "cargo mutants --workspace --in-diff <(git diff $base HEAD)"
fi

start=$(date +%s)
status=0
# One job: cargo-mutants builds in a copy of the tree without target/, and
# a second job's copy would be built from nothing too (about 3 min on 2
# cores) while the first tests mutants; a mutant's build (the mutated crate,
# its dependents and the test binaries) already keeps both cores busy, and
# its tests take about a second.
cargo mutants --workspace --in-diff "$diff" "${shard[@]}" -j 1 \
  --output "$OUT" --colors never --no-shuffle || status=$?
echo "mutants: took $(( $(date +%s) - start ))s"
results="$OUT/mutants.out"
# Exit 2: missed mutants; 3: timeouts (which take precedence over 2, so
# missed.txt is what decides); anything else: the run itself failed.
case "$status" in
  0|2|3) ;;
  *) echo "FAIL: mutants: cargo-mutants exited $status (4: the tests fail unmutated; 5, 6: the diff)"; exit 1 ;;
esac
for outcome in caught missed timeout unviable; do
  printf 'mutants: %-8s %s\n' "$outcome" "$(wc -l < "$results/$outcome.txt")"
done
if [ -s "$results/timeout.txt" ]; then
  echo "mutants: timeouts (the tests ran past the bound: counted as caught):"
  sed 's/^/  /' "$results/timeout.txt"
fi
if [ -s "$results/missed.txt" ]; then
  echo "FAIL: mutants: these mutants of the change pass every test: write the test that fails" \
       "on each, or (a true equivalent) exclude it with its reason in .cargo/mutants.toml:"
  sed 's/^/  /' "$results/missed.txt"
  exit 1
fi
echo "mutants: every mutant of the change was caught"
