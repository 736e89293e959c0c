#!/usr/bin/env bash
# Hardening suite (issue 5), run by .ci/run from the repository root:
#   1. every cargo-fuzz target is built and run for FUZZ_SECONDS (default 30)
#      on nightly, seeded from the conformance vectors; a crash fails;
#   2. the no-panic proof links (release, fat LTO), and a copy of the core
#      with an injected out-of-bounds index fails to link (the proof bites);
#   3. callgrind counts the instructions of each adversarial request at two
#      sizes: the count must grow with the size ratio (linear work), and a
#      1,000-tenant policy must cost about what a 3-tenant one does.
# Installs what it needs (cargo-fuzz, valgrind) when missing. Exits non-zero
# on any failure; ends with "hardening: N passed, M failed".
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FUZZ="$ROOT/fuzz"
FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
NIGHTLY="${NIGHTLY:-nightly}"
passed=0
failed=0
failures=()

ok() { passed=$((passed + 1)); echo "PASS: $*"; }
ko() { failed=$((failed + 1)); failures+=("$*"); echo "FAIL: $*"; }

# --- tools -------------------------------------------------------------------
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
    rustup toolchain install "$NIGHTLY" --profile minimal || true
fi
if ! cargo +"$NIGHTLY" fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi
if ! command -v valgrind >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
fi

cd "$FUZZ" || exit 1

# --- seeds from the conformance vectors -------------------------------------
if cargo build --release -q -p cors-policy-fuzz-tools; then
    if target/release/seeds "$ROOT/tests/vectors/vectors.json" "$FUZZ/corpus"; then
        ok "seeds written from the conformance vectors"
    else
        ko "seeds"
    fi
else
    ko "building fuzz/tools"
fi

# --- 1. fuzz targets ---------------------------------------------------------
targets=$(cargo +"$NIGHTLY" fuzz list 2>/dev/null)
if [ -z "$targets" ]; then
    ko "cargo fuzz list found no target"
elif cargo +"$NIGHTLY" fuzz build 2>&1 | tail -n 3; [ "${PIPESTATUS[0]}" -ne 0 ]; then
    ko "cargo fuzz build"
else
    ok "every fuzz target builds ($(echo $targets | wc -w) targets)"
    for t in $targets; do
        mkdir -p "corpus/$t"
        log="$(mktemp)"
        cargo +"$NIGHTLY" fuzz run "$t" "corpus/$t" -- \
            -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -timeout=10 -dict=dict/cors.dict \
            -rss_limit_mb=4096 >"$log" 2>&1
        rc=$?
        execs=$(grep -a 'stat::number_of_executed_units' "$log" | tail -n 1 | awk '{print $2}')
        secs=$(grep -ao 'Done [0-9]* runs in [0-9]* second' "$log" | tail -n 1 | awk '{print $5}')
        cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
        added=$(grep -a 'stat::new_units_added' "$log" | tail -n 1 | awk '{print $2}')
        if [ "$rc" -eq 0 ]; then
            ok "fuzz $t: ${execs:-?} executions in ${secs:-?} s, coverage ${cov:-?}, ${added:-?} new corpus units, no crash"
        else
            ko "fuzz $t crashed (exit $rc); see fuzz/artifacts/$t"
            grep -a -E -A 20 'panicked|ERROR: AddressSanitizer|==ERROR' "$log" | head -n 40
        fi
        rm -f "$log"
    done
fi

# --- 2. no-panic proof -------------------------------------------------------
proof_log="$(mktemp)"
if cargo build -q --profile proof -p cors-policy-no-panic-proof >"$proof_log" 2>&1; then
    out=$(printf 'OPTIONS\nOrigin:https://eu.app.example\nAccess-Control-Request-Method:PUT\nAccess-Control-Request-Headers:content-type' \
        | target/proof/cors-policy-no-panic-proof | head -n 1)
    if [ "$out" = "preflight 5" ]; then
        ok "no-panic proof links: evaluate, evaluate_with and the parsers cannot panic"
    else
        ko "no-panic proof binary answered '$out', expected 'preflight 5'"
    fi
else
    ko "no-panic proof does not link"
    grep -E 'ERROR\[no-panic\]' "$proof_log" | sort -u
fi
# The proof must bite: the same build of a copy of the core with a possible
# out-of-bounds index in a parser must fail to link, naming the function.
scratch="$(mktemp -d)"
mkdir -p "$scratch/fuzz"
cp -r "$ROOT/src" "$ROOT/README.md" "$scratch/"
cp -r "$FUZZ/proof" "$scratch/fuzz/"
cat >"$scratch/Cargo.toml" <<'EOF'
[package]
name = "cors-policy"
version = "0.1.0"
edition = "2024"
[lib]
name = "cors_policy"
[dependencies]
no-panic = { version = "0.1", optional = true }
[features]
no-panic = ["dep:no-panic"]
[workspace]
exclude = ["fuzz"]
EOF
cat >"$scratch/fuzz/Cargo.toml" <<'EOF'
[workspace]
members = ["proof"]
resolver = "3"
[profile.proof]
inherits = "release"
lto = "fat"
codegen-units = 1
EOF
sed -i 's/^fn valid_request_host(host: &\[u8\]) -> bool {$/&\n    #[allow(clippy::indexing_slicing)]\n    if host.len() > 3 \&\& host[host.len() \/ 2 + 7] == b'"'"'!'"'"' { return false; }/' \
    "$scratch/src/origin.rs"
if ! grep -q 'host\[host.len() / 2 + 7\]' "$scratch/src/origin.rs"; then
    ko "could not inject a panic into the scratch copy (valid_request_host moved?)"
elif (cd "$scratch/fuzz" && CARGO_TARGET_DIR="$scratch/target" \
    cargo build -q --profile proof -p cors-policy-no-panic-proof >"$proof_log" 2>&1); then
    ko "no-panic proof linked a core with an injected out-of-bounds index"
elif grep -q 'ERROR\[no-panic\]: detected panic in function `valid_request_host`' "$proof_log"; then
    ok "no-panic proof rejects an injected out-of-bounds index in valid_request_host"
else
    ko "injected panic: the build failed without naming valid_request_host"
    tail -n 20 "$proof_log"
fi
rm -rf "$scratch" "$proof_log"

# --- 3. callgrind: linear work -----------------------------------------------
cost=target/release/cost
instructions() { # scenario size -> instructions inside cost_measured_region
    local out
    out="$(mktemp)"
    if ! valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
        --toggle-collect='*cost_measured_region*' "$cost" "$1" "$2" >/dev/null 2>&1; then
        rm -f "$out"
        echo "error"
        return
    fi
    awk '/^totals:/{print $2}' "$out"
    rm -f "$out"
}
# scenario small large lo hi: instructions(large)/instructions(small) in [lo, hi]
check_ratio() {
    local a b
    a=$(instructions "$1" "$2")
    b=$(instructions "$1" "$3")
    if [ "$a" = "error" ] || [ "$b" = "error" ] || [ -z "$a" ] || [ -z "$b" ]; then
        ko "callgrind $1: the run failed or gave a wrong answer"
        return
    fi
    local ratio
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.3f", b / a}')
    if awk -v r="$ratio" -v lo="$4" -v hi="$5" 'BEGIN{exit !(r >= lo && r <= hi)}'; then
        ok "callgrind $1: $a instructions at $2, $b at $3, ratio $ratio in [$4, $5]"
    else
        ko "callgrind $1: $a instructions at $2, $b at $3, ratio $ratio not in [$4, $5]"
    fi
}
if [ -x "$cost" ]; then
    for s in commas spaces long_origin repeated_name; do
        check_ratio "$s" 262144 1048576 3.6 4.4   # 256 KiB -> 1 MiB
    done
    check_ratio empty_lines 2500 10000 3.6 4.4
    check_ratio many_origins 3 1000 0.5 1.5       # policy size must not matter
else
    ko "callgrind: $cost was not built"
fi

echo
if [ "$failed" -ne 0 ]; then
    printf 'failed: %s\n' "${failures[@]}"
fi
echo "hardening: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
