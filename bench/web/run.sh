#!/usr/bin/env bash
# The web benchmark (issue 12, "Targets"): seeds a national network with
# `handoff seed`, starts the release binary, signs in sessions of the right
# roles, and runs wrk at 50 and 200 connections against each page of
# bench/web/urls.txt, sampling the server's resident memory throughout.
# Prints one table per connection count: req/s, p50, p99, ratio to /healthz,
# errors, peak RSS during that page's run, and bytes transferred per page.
#
#   bench/web/run.sh --backend postgres --database-url postgres://…/handoff_bench --scale national
#   bench/web/run.sh --backend sqlite --scale tenth
#
# Options:
#   --backend postgres|sqlite   (default postgres; postgres needs --database-url
#                                of an empty or previously seeded database)
#   --scale national|tenth|small  100 sites / 100,000 participants / 2,000,000
#                                contacts; a tenth of it; 3 / 600 / 12,000
#   --database-url URL          (sqlite default: a file under the output folder)
#   --duration 10s              wrk's duration per page and connection count
#   --connections "50 200"
#   --bin PATH                  (default target/release/handoff; built if missing)
#   --port 18080
#   --no-seed                   the database is already seeded
#   --out DIR                   (default bench/web/out/<backend>-<scale>)
#   --urls FILE                 (default bench/web/urls.txt)
# Pages are listed in bench/web/urls.txt (name, role, path); add a line to
# measure another page. $PARTICIPANT and $TYPO in a path are replaced by a
# participant of the case manager's caseload and a misspelling of their name.
set -euo pipefail
cd "$(dirname "$0")/../.."

BACKEND=postgres SCALE=national DB_URL="" DURATION=10s CONNS="50 200"
BIN="${CARGO_TARGET_DIR:-target}/release/handoff" PORT=18080 SEED=1 OUT="" URLS=bench/web/urls.txt
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) BACKEND=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --database-url) DB_URL=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --no-seed) SEED=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    --urls) URLS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$SCALE" in
  national) SIZE=(100 100000 2000000) ;;
  tenth) SIZE=(10 10000 200000) ;;
  small) SIZE=(3 600 12000) ;;
  *) echo "--scale national|tenth|small" >&2; exit 2 ;;
esac
OUT=${OUT:-bench/web/out/$BACKEND-$SCALE}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ -z "$DB_URL" ]; then
  if [ "$BACKEND" = sqlite ]; then DB_URL="sqlite://$OUT/handoff.db"
  else echo "--database-url postgres://… is needed for PostgreSQL" >&2; exit 2; fi
fi
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
[ -x "$BIN" ] || cargo build --release -p handoff
BASE="http://127.0.0.1:$PORT"

if [ "$SEED" = 1 ]; then
  echo "== seed ${SIZE[*]} ($BACKEND)"
  start=$(date +%s.%N)
  "$BIN" --database-url "$DB_URL" seed --sites "${SIZE[0]}" --participants "${SIZE[1]}" --contacts "${SIZE[2]}" | tee "$OUT/seed.txt"
  end=$(date +%s.%N)
  echo "seed wall: $(echo "$end - $start" | bc) s" | tee -a "$OUT/seed.txt"
fi

"$BIN" --database-url "$DB_URL" serve --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SERVE=$!
SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  kill "$SERVE" 2>/dev/null || true
  wait "$SERVE" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$BASE/healthz" >/dev/null || { echo "the server did not start; see $OUT/serve.log" >&2; exit 1; }

# Resident memory of `serve`, every half second.
: >"$OUT/rss.log"
( while kill -0 "$SERVE" 2>/dev/null; do ps -o rss= -p "$SERVE" >>"$OUT/rss.log" || true; sleep 0.5; done ) &
SAMPLER=$!

declare -A COOKIE
login() { # role email
  local jar="$OUT/$1.jar"
  curl -sf -c "$jar" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"demo-password\"}" "$BASE/api/v1/session" >/dev/null
  COOKIE[$1]=$(awk '{sub(/^#HttpOnly_/, "")} !/^#/ && NF >= 7 {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar")
  [ -n "${COOKIE[$1]}" ] || { echo "sign-in of $2 failed" >&2; exit 1; }
}
for role in casemanager supervisor prosecutor officer oversight admin; do
  login "$role" "$role@site-002.test"
done
login bureau bureau@network.test
COOKIE[none]=""

# A participant of the case manager's caseload and a misspelling of their name.
curl -sf -H "Cookie: ${COOKIE[casemanager]}" "$BASE/api/v1/caseloads" >"$OUT/caseload.json"
read -r PARTICIPANT TYPO < <(python3 - "$OUT/caseload.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["cases"][0]
last = (c.get("name") or "Jonhson Smith").split()[-1]
typo = last[:1] + last[2:] if len(last) > 3 else last + "e"   # drop the second letter
print(c["id"], typo)
PY
)
echo "participant $PARTICIPANT, search for \"$TYPO\""

RESULTS="$OUT/results.tsv"
printf 'conns\tname\tpath\tstatus\tbytes\twrk\trss_from\trss_to\n' >"$RESULTS"
for conns in $CONNS; do
  while IFS='|' read -r name role path; do
    case "$name" in ''|\#*) continue ;; esac
    path=${path//\$PARTICIPANT/$PARTICIPANT}
    path=${path//\$TYPO/$TYPO}
    cookie=${COOKIE[$role]:-}
    hdr=(-H "Accept-Encoding: gzip, br")
    [ -n "$cookie" ] && hdr+=(-H "Cookie: $cookie")
    read -r status bytes < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "${hdr[@]}" "$BASE$path")
    from=$(wc -l <"$OUT/rss.log")
    echo "== $name ($role) $path at $conns connections: HTTP $status, $bytes bytes"
    wrk -t2 -c"$conns" -d"$DURATION" --timeout 10s --latency "${hdr[@]}" "$BASE$path" >"$OUT/wrk-$name-$conns.txt" 2>&1 || true
    to=$(wc -l <"$OUT/rss.log")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$conns" "$name" "$path" "$status" "$bytes" "$OUT/wrk-$name-$conns.txt" "$from" "$to" >>"$RESULTS"
  done <"$URLS"
done
sleep 5   # memory after the load

python3 - "$RESULTS" "$OUT/rss.log" <<'PY' | tee "$OUT/table.md"
import re, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
rss = [int(x) for x in open(sys.argv[2]).read().split() if x.strip().isdigit()]
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
def parse(path):
    t = open(path).read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
    lat = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", t, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return float(rps.group(1)) if rps else 0.0, lat.get("50"), lat.get("99"), errors
print(f"peak RSS of serve over the run: {max(rss) / 1024:.0f} MB; at the end: {rss[-1] / 1024:.0f} MB" if rss else "no RSS samples")
for conns in sorted({r[0] for r in rows}, key=int):
    mine = [r for r in rows if r[0] == conns]
    base = next((parse(r[5])[0] for r in mine if r[1] == "healthz"), None)
    print(f"\n{conns} connections\n")
    print("| page | HTTP | req/s | p50 ms | p99 ms | ratio to /healthz | errors | peak RSS MB | bytes |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for c, name, path, status, size, wrk, a, b in mine:
        rps, p50, p99, err = parse(wrk)
        seg = rss[int(a):int(b)] or rss[-1:]
        ratio = f"{100 * rps / base:.2f}%" if base else "-"
        f = lambda v: f"{v:.1f}" if v is not None and rps > 0 else "-"
        print(f"| {name} | {status} | {rps:.0f} | {f(p50)} | {f(p99)} | {ratio} | {err} | {max(seg) / 1024:.0f} | {size} |")
PY
