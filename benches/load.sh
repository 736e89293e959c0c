#!/usr/bin/env bash
# Load benchmark over loopback (issue 15): the axum example and
# `cors-policy serve`, each driven by wrk with allowed requests, allowed
# requests padded to 16 KiB with a header the policy ignores, and refused
# requests whose Origin is 16 KiB, logging on as shipped (stdout's request
# lines and stderr's logs written to files). Prints one Markdown row per
# kind: medians over rounds of requests/s, p50, p99 and the server's CPU
# time per request, and the ratios to the allowed runs.
#
#   bash benches/load.sh                      # this tree
#   bash benches/load.sh --tree /path/to/other/checkout --label main
#   bash benches/load.sh --duration 5 --rounds 3 --connections 64 --threads 2
#
# Bounded: two servers x three kinds x --rounds (3) x --duration seconds
# (5), plus a 1 s warm-up per kind: about 100 s, on 127.0.0.1 only. Needs wrk (apt-get install
# wrk) and builds the two binaries in release mode in the tree given.
# Not run by CI (it takes a quiet machine to mean anything).
set -euo pipefail

tree="$(cd "$(dirname "$0")/.." && pwd)"
label="this tree"
duration=5
rounds=3
connections=64
threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --tree) tree="$(cd "$2" && pwd)"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "usage: $0 [--tree DIR] [--label NAME] [--duration SECS] [--rounds N] [--connections N] [--threads N]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

echo "building in $tree (release)..." >&2
(cd "$tree" && cargo build -q --release -p cors-policy-cli --bin cors-policy \
  -p cors-policy-tower --example axum_server)
bin="$tree/target/release"

work="$(mktemp -d /tmp/cors-policy-load.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The same policy for both servers: the axum example's private API default.
cat > "$work/policy.json" <<'EOF'
{
  "allowed_origins": ["https://app.example"],
  "allow_credentials": true,
  "allowed_methods": ["GET", "POST", "PUT", "DELETE", "PATCH"],
  "allowed_headers": ["content-type", "authorization", "x-custom-header"],
  "expose_headers": ["x-request-id"],
  "max_age": 600
}
EOF

# A 16 KiB Origin (16,384 bytes): https://aaa...a.example
long_origin="https://$(head -c 16368 /dev/zero | tr '\0' a).example"
[ "${#long_origin}" -eq 16384 ] || { echo "origin is ${#long_origin} bytes" >&2; exit 1; }

write_script() { # name origin
  cat > "$work/$1.lua" <<EOF
wrk.method = "GET"
wrk.headers["Origin"] = "$2"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_us=%d p99_us=%d requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout))
end
EOF
}
write_script allowed "https://app.example"
write_script refused "$long_origin"
# The allowed request padded to the refused one's size with a 16 KiB
# header the policy ignores: the same bytes on the wire, so the refused run
# differs from it only by the refusal (its evaluation and its log).
write_script padded "https://app.example"
sed -i "2a wrk.headers[\"X-Pad\"] = \"$(head -c 16368 /dev/zero | tr '\0' b)\"" "$work/padded.lua"

start_server() { # name command...
  local name="$1"; shift
  "$@" > "$work/$name.stdout" 2> "$work/$name.stderr" &
  server_pid=$!
  for _ in $(seq 1 100); do
    if grep -q '^listening on http://' "$work/$name.stdout" 2>/dev/null; then break; fi
    sleep 0.1
  done
  base="$(sed -n 's/^listening on //p' "$work/$name.stdout" | head -1)"
  [ -n "$base" ] || { echo "$name did not start:" >&2; cat "$work/$name.stderr" >&2; exit 1; }
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# One checked request: the allowed one is answered with the origin, the
# refused one without it (so the runs measure what they say).
check_answer() { # url origin expect(allowed|refused)
  local got
  got="$(curl -s -o /dev/null -D - -H "Origin: $2" "$1" | tr -d '\r' | grep -i '^access-control-allow-origin:' || true)"
  if [ "$3" = allowed ] && [ -z "$got" ]; then echo "allowed request not allowed at $1" >&2; exit 1; fi
  if [ "$3" = refused ] && [ -n "$got" ]; then echo "refused request allowed at $1" >&2; exit 1; fi
}

us_to_ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

# Server CPU time (user + system, in clock ticks) so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
ticks_per_s="$(getconf CLK_TCK)"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| tree | server | requests | requests/s | p50 (ms) | p99 (ms) | server CPU per request (µs) | errors | ÷ allowed | ÷ allowed of the same size |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
# Rounds of the three kinds, interleaved so that a change in the machine's
# load hits each kind alike; each cell is the median of the rounds.
run_set() { # server-label url
  local url="$2" kind r
  for kind in allowed padded refused; do
    local expect=allowed origin="https://app.example"
    [ "$kind" = refused ] && { expect=refused; origin="$long_origin"; }
    check_answer "$url" "$origin" "$expect"
    wrk -t"$threads" -c"$connections" -d1s --timeout 10s -s "$work/$kind.lua" "$url" > /dev/null
    : > "$work/$kind.results"
  done
  for r in $(seq 1 "$rounds"); do
    for kind in allowed padded refused; do
      local c0 c1 out
      c0="$(cpu_ticks)"
      out="$(wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s -s "$work/$kind.lua" "$url" | grep '^RESULT')"
      c1="$(cpu_ticks)"
      echo "$out cpu_ticks=$((c1 - c0))" >> "$work/$kind.results"
    done
  done
  local allowed_rps="" padded_rps=""
  for kind in allowed padded refused; do
    local f="$work/$kind.results" name rps p50 p99 cpu errors ratio same=""
    rps="$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' "$f" | median)"
    p50="$(us_to_ms "$(sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' "$f" | median)")"
    p99="$(us_to_ms "$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' "$f" | median)")"
    cpu="$(awk -v t="$ticks_per_s" '{ match($0, /requests=[0-9]+/); n = substr($0, RSTART + 9, RLENGTH - 9);
      match($0, /cpu_ticks=[0-9]+/); c = substr($0, RSTART + 10, RLENGTH - 10); printf "%.1f\n", c * 1e6 / t / n }' "$f" | median)"
    errors="$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' "$f" | awk '{ s += $1 } END { print s }')"
    case "$kind" in
      allowed) name="allowed"; allowed_rps="$rps"; ratio="1.00" ;;
      padded) name="allowed, padded to 16 KiB"; padded_rps="$rps"
        ratio="$(awk -v r="$rps" -v a="$allowed_rps" 'BEGIN { printf "%.2f", r / a }')" ;;
      refused) name="refused, 16 KiB Origin"
        ratio="$(awk -v r="$rps" -v a="$allowed_rps" 'BEGIN { printf "%.2f", r / a }')"
        same="$(awk -v r="$rps" -v a="$padded_rps" 'BEGIN { printf "%.2f", r / a }')" ;;
    esac
    echo "| $label | $1 | $name | $rps | $p50 | $p99 | $cpu | $errors | $ratio | $same |"
  done
}

start_server axum env CORS_ALLOWED_ORIGINS=https://app.example "$bin/examples/axum_server" --listen 127.0.0.1:0
run_set "axum example" "$base/private/items"
stop_server

start_server serve "$bin/cors-policy" serve --policy "$work/policy.json" --listen 127.0.0.1:0
run_set "cors-policy serve" "$base/items"
stop_server

echo "logs written: $(du -sh "$work" | cut -f1) in $work (removed)" >&2
