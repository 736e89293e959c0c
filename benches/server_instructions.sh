#!/usr/bin/env bash
# Instructions the axum example's server spends per request (issue 17), by
# kind, counted by callgrind over every thread of the process: what
# benches/load.sh's "server CPU per request" measures, without the noise of
# a shared machine (the kernel's part, reading and writing the sockets and
# the log files, is not counted). Kinds as in benches/load.sh: an allowed
# request, the same padded to 16 KiB with a header the policy ignores, and
# a refused one with a 16 KiB Origin; the refused one also with
# RUST_LOG=info, which leaves out the layer's refusal event.
#
#   bash benches/server_instructions.sh [--bin PATH] [--requests N]
#
# Each measurement runs the server under valgrind twice, for 200 and for
# 200 + N requests (default 1,000) over four kept-alive connections to
# 127.0.0.1, and divides the difference by N (so start-up and warm-up
# cancel out). Bounded: eight runs, a few minutes. Needs valgrind and
# python3; builds the example in release mode unless --bin is given.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="" requests=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    *) echo "usage: $0 [--bin PATH] [--requests N]" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
if [ -z "$bin" ]; then
  cargo build -q --release -p cors-policy-tower --example axum_server
  bin=target/release/examples/axum_server
fi

work="$(mktemp -d /tmp/cors-policy-instr.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Sends N requests of a kind over four kept-alive connections and reads
# every answer whole.
cat > "$work/client.py" <<'EOF'
import socket, sys
port, kind, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
long_origin = "https://" + "a" * 16368 + ".example"
headers = {
    "allowed": [("Origin", "https://app.example")],
    "padded": [("Origin", "https://app.example"), ("X-Pad", "b" * 16368)],
    "refused": [("Origin", long_origin)],
}[kind]
request = ("GET /private/items HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n").encode()
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
bufs = [b""] * len(conns)
for i in range(n):
    c = i % len(conns)
    conns[c].sendall(request)
    buf = bufs[c]
    while b"\r\n\r\n" not in buf:
        buf += conns[c].recv(65536)
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = next((int(l.split(b":", 1)[1]) for l in head.split(b"\r\n")[1:]
                   if l.lower().startswith(b"content-length:")), 0)
    while len(rest) < length:
        rest += conns[c].recv(65536)
    if b" 200 " not in head.split(b"\r\n")[0] + b" ":
        sys.exit(f"{kind}: {head.split(chr(13).encode())[0]!r}")
    bufs[c] = rest[length:]
EOF

# Instructions of the whole server run for N requests of a kind.
run() { # kind n env
  local out="$work/callgrind.out"
  env "$3" CORS_ALLOWED_ORIGINS=https://app.example \
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --listen 127.0.0.1:0 \
    > "$work/stdout" 2> "$work/stderr" &
  server_pid=$!
  for _ in $(seq 1 300); do
    grep -q '^listening on' "$work/stdout" 2>/dev/null && break
    sleep 0.2
  done
  local port
  port="$(sed -n 's/^listening on http:\/\/127.0.0.1://p' "$work/stdout" | head -1)"
  [ -n "$port" ] || { echo "the server did not start:" >&2; cat "$work/stderr" >&2; exit 1; }
  python3 "$work/client.py" "$port" "$1" "$2"
  kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$out" | head -1
}

echo "| requests | instructions per request (server) |"
echo "|---|---:|"
for kind in allowed padded refused refused-unlogged; do
  k="${kind%-unlogged}" env_="X=1"
  [ "$kind" = refused-unlogged ] && env_="RUST_LOG=info"
  a="$(run "$k" 200 "$env_")"
  b="$(run "$k" $((200 + requests)) "$env_")"
  name="$kind"
  case "$kind" in
    padded) name="allowed, padded to 16 KiB" ;;
    refused) name="refused, 16 KiB Origin" ;;
    refused-unlogged) name="refused, 16 KiB Origin, refusal event off (RUST_LOG=info)" ;;
  esac
  echo "| $name | $(( (b - a) / requests )) |"
done
