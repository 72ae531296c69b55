#!/usr/bin/env bash
# The soak benchmark (issue 14, "A soak benchmark"; not a test, never in CI):
# builds the release binary, starts `handoff serve --demo` on a fresh SQLite
# file on a free port, signs in as case manager, officer and supervisor, and
# drives mixed load with wrk (bench/soak/mix.lua) — the caseload, a
# participant's record, the hand-off inbox, the first page of referrals (page
# and API), search, and now and then a contact POST. The server's resident
# memory (VmRSS of /proc/PID/status) is sampled every 30 s during the load and
# for 3 minutes after it stops. Prints the memory table, requests and errors
# (non-2xx/3xx answers and socket errors), and the verdict: memory levels off
# under load and returns to within 20% of its starting level after it.
#
#   bench/soak/run.sh                       # 10 min of load, 3 min after
#   bench/soak/run.sh --load 600 --after 180 --every 30 --connections 16
#
# Options: --load SECONDS, --after SECONDS, --every SECONDS, --connections N,
# --threads N, --bin PATH (default $CARGO_TARGET_DIR/release/handoff, built
# with `cargo build --release -p handoff`), --port N (default: a free one),
# --out DIR (default bench/soak/out; holds the database, the server's log,
# wrk's output and the table).
set -euo pipefail
cd "$(dirname "$0")/../.."

LOAD=600 AFTER=180 EVERY=30 CONNS=16 THREADS=2 PORT="" OUT=bench/soak/out
BIN="${CARGO_TARGET_DIR:-target}/release/handoff" BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --load) LOAD=$2; shift 2 ;;
    --after) AFTER=$2; shift 2 ;;
    --every) EVERY=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --bin) BIN=$2; BUILD=0; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
[ "$BUILD" = 1 ] && cargo build --release -p handoff
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/handoff.db* "$OUT"/*.jar
if [ -z "$PORT" ]; then
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
[ "$PORT" = 54330 ] && { echo "port 54330 is reserved" >&2; exit 2; }
BASE="http://127.0.0.1:$PORT"

"$BIN" --database-url "sqlite://$OUT/handoff.db" serve --demo --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SERVE=$!
WRK=""
cleanup() {
  [ -n "$WRK" ] && kill "$WRK" 2>/dev/null || true
  kill "$SERVE" 2>/dev/null || true
  wait "$SERVE" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 900); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$BASE/healthz" >/dev/null || { echo "the server did not start; see $OUT/serve.log" >&2; exit 1; }

declare -A COOKIE CSRF
login() { # role
  local jar="$OUT/$1.jar" body
  body=$(curl -sf -c "$jar" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1@demo.test\",\"password\":\"demo-password\"}" "$BASE/api/v1/session")
  COOKIE[$1]=$(awk '{sub(/^#HttpOnly_/, "")} !/^#/ && NF >= 7 {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar")
  CSRF[$1]=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["csrf_token"])' "$body")
  [ -n "${COOKIE[$1]}" ] || { echo "sign-in of $1@demo.test failed" >&2; exit 1; }
}
for role in casemanager officer supervisor; do login "$role"; done

# Participants of the case manager's caseload and a surname to search for.
curl -sf -H "Cookie: ${COOKIE[casemanager]}" "$BASE/api/v1/caseloads" >"$OUT/caseload.json"
read -r P1 P2 P3 NAME < <(python3 - "$OUT/caseload.json" <<'PY'
import json, sys
cases = json.load(open(sys.argv[1]))["cases"]
ids = [c["id"] for c in cases][:3]
ids += ids[:1] * (3 - len(ids))
name = next((c["name"].split()[-1] for c in cases if c.get("name")), "Smith")
print(*ids, name)
PY
)
echo "participants $P1 $P2 $P3; search for \"$NAME\""

# weight, method, path, role (cookie and CSRF token), body
REQS="$OUT/requests.tsv"
: >"$REQS"
add() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${COOKIE[$4]}" "${CSRF[$4]}" "${5:-}" >>"$REQS"
}
CONTACT='{"place":"office","duration_minutes":15}'
add 12 GET /caseload casemanager
add 6 GET /api/v1/caseloads casemanager
add 8 GET "/participants/$P1" casemanager
add 6 GET "/participants/$P2" casemanager
add 2 GET "/api/v1/participants/$P3/engagement" casemanager
add 2 GET "/api/v1/participants/$P1/notes" casemanager
add 8 GET /handoffs casemanager
add 4 GET /api/v1/referrals/inbox casemanager
add 10 GET "/search?q=$NAME" casemanager
add 4 GET "/api/v1/search?q=$NAME" casemanager
add 8 GET /referrals officer
add 6 GET /api/v1/referrals officer
add 8 GET /referrals supervisor
add 4 GET /handoffs supervisor
add 1 POST "/api/v1/participants/$P1/contacts" casemanager "$CONTACT"
add 1 POST "/api/v1/participants/$P2/contacts" casemanager "$CONTACT"

# Every request once, to see that each answers 2xx before the load.
echo "== each request once"
while IFS=$'\t' read -r w method path cookie csrf body; do
  args=(-s -o /dev/null -w '%{http_code}' -X "$method" -H "Cookie: $cookie")
  [ "$method" != GET ] && args+=(-H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d "$body")
  printf '  %s %-4s %-60s weight %s\n' "$(curl "${args[@]}" "$BASE$path")" "$method" "${path:0:60}" "$w"
done <"$REQS"

rss() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$SERVE/status"; }
TABLE="$OUT/memory.tsv"
printf 'seconds\trss_mb\tphase\n' >"$TABLE"
start=$(date +%s)
sample() { printf '%s\t%s\t%s\n' "$(( $(date +%s) - start ))" "$(rss)" "$1" | tee -a "$TABLE"; }

echo "== load: ${LOAD} s, $CONNS connections, $THREADS threads; then ${AFTER} s idle; RSS every ${EVERY} s"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/load.txt"
sample start
SOAK_REQUESTS="$REQS" wrk -t"$THREADS" -c"$CONNS" -d"${LOAD}s" --timeout 10s --latency \
  -s bench/soak/mix.lua "$BASE" >"$OUT/wrk.txt" 2>&1 &
WRK=$!
next=$EVERY
while kill -0 "$WRK" 2>/dev/null; do
  sleep 1
  if [ $(( $(date +%s) - start )) -ge "$next" ] && kill -0 "$WRK" 2>/dev/null; then
    sample load; next=$((next + EVERY))
  fi
done
wait "$WRK" || true
WRK=""
echo "load average at the end of the load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt"
sample "load ended"
stop=$(date +%s)
for _ in $(seq 1 $((AFTER / EVERY))); do
  sleep $(( EVERY - ( ($(date +%s) - stop) % EVERY ) ))
  sample after
done
kill -0 "$SERVE" || { echo "the server died; see $OUT/serve.log" >&2; exit 1; }

python3 - "$TABLE" "$OUT/wrk.txt" <<'PY' | tee "$OUT/result.md"
import re, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
wrk = open(sys.argv[2]).read()
print("| time | RSS MB | phase |")
print("|---:|---:|---|")
for s, mb, phase in rows:
    print(f"| {int(s) // 60}:{int(s) % 60:02d} | {float(mb):.1f} | {phase} |")
reqs = re.search(r"(\d+) requests in ([\d.]+\w+)", wrk)
rps = re.search(r"Requests/sec:\s+([\d.]+)", wrk)
non = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", wrk)
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", wrk, re.M))
n_non = int(non.group(1)) if non else 0
n_sock = sum(map(int, sock.groups())) if sock else 0
print()
print(f"requests: {reqs.group(1) if reqs else '?'} in {reqs.group(2) if reqs else '?'} "
      f"({rps.group(1) if rps else '?'} req/s; p50 {lat.get('50', '?')}, p99 {lat.get('99', '?')})")
print(f"errors: {n_non} non-2xx/3xx answers, {n_sock} socket errors"
      + (f" (connect {sock.group(1)}, read {sock.group(2)}, write {sock.group(3)}, timeout {sock.group(4)})" if sock else ""))
mb = lambda phase: [float(r[1]) for r in rows if r[2] == phase]
start = mb("start")[0]
load = mb("load") + mb("load ended")
after = mb("after")
half = load[len(load) // 2 :]
peak = max(load)
# Levels off: over the second half of the load, memory grows by less than 10%
# of the peak (the last sample under load against the first of that half).
quiet = int(rows[-1][0]) - int(next(r[0] for r in rows if r[2] == "load ended"))
levels = (half[-1] - half[0]) <= 0.10 * peak
returns = after[-1] <= 1.20 * start
print(f"start {start:.1f} MB, peak under load {peak:.1f} MB, second half of the load "
      f"{half[0]:.1f} → {half[-1]:.1f} MB, {quiet} s after the load {after[-1]:.1f} MB "
      f"({100 * after[-1] / start:.0f}% of the start)")
print(f"verdict: {'levels off' if levels else 'DOES NOT level off'}; "
      f"{'returns within 20% of its starting level' if returns else 'does NOT return within 20% of its starting level'}; "
      f"{'no errors' if n_non + n_sock == 0 else 'ERRORS'}")
sys.exit(0 if levels and returns and n_non + n_sock == 0 else 1)
PY
