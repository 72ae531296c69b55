#!/usr/bin/env bash
# Benchmark: `handoff evaluate` (release) against reference.py on the same data,
# in the same run. Usage: bench/stats/run.sh [SEED] [SCALE]   (defaults 2024 large)
# Needs the reference environment in bench/stats/.venv (see README.md) and
# SPEC_DIR pointing at the evaluation data folder (default ../shared/data/evaluation
# relative to the repository root).
set -euo pipefail
cd "$(dirname "$0")/../.."
SEED=${1:-2024}
SCALE=${2:-large}
SPEC_DIR=${SPEC_DIR:-../shared/data/evaluation}
PY=bench/stats/.venv/bin/python
BIN=${CARGO_TARGET_DIR:-target}/release/handoff
DATA=bench/stats/large/s${SEED}-${SCALE}
OUT=bench/stats/out/s${SEED}-${SCALE}
mkdir -p "$OUT"
if [ ! -f "$DATA/study.csv" ]; then
  "$PY" "$SPEC_DIR/gen_eval.py" --seed "$SEED" --scale "$SCALE" --out "$DATA"
fi
cargo build --release -p handoff >/dev/null
echo "== handoff evaluate (release), 3 runs; the table uses the run with the median wall time"
for r in 1 2 3; do
  /usr/bin/time -v "$BIN" evaluate --data "$DATA" --out "$OUT/handoff.json" \
    --report "$OUT/report.html" --timings "$OUT/handoff_timings_$r.json" 2> "$OUT/handoff_time_$r.txt"
  grep -E "Elapsed|Maximum resident|User time|System time" "$OUT/handoff_time_$r.txt" | tr '\n' ' '; echo
done
MED=$("$PY" - "$OUT" <<'PY'
import re, sys
out = sys.argv[1]
def wall(r):
    t = open(f"{out}/handoff_time_{r}.txt").read()
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", t).group(1)
    s = 0.0
    for part in w.split(":"):
        s = s * 60 + float(part)
    return s
print(sorted([1, 2, 3], key=wall)[1])
PY
)
cp "$OUT/handoff_time_$MED.txt" "$OUT/handoff_time.txt"
cp "$OUT/handoff_timings_$MED.json" "$OUT/handoff_timings.json"
echo "== reference.py"
/usr/bin/time -v "$PY" "$SPEC_DIR/reference.py" "$DATA" --out "$OUT/reference.json" \
  --timings "$OUT/reference_timings.json" > "$OUT/reference_stdout.txt" 2> "$OUT/reference_time.txt"
grep -E "Elapsed|Maximum resident|User time|System time" "$OUT/reference_time.txt" | tr '\n' ' '; echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "== agreement (SPEC §9) and table"
"$PY" bench/stats/compare.py "$OUT/reference.json" "$OUT/handoff.json" \
  "$OUT/reference_timings.json" "$OUT/handoff_timings.json" \
  "$OUT/reference_time.txt" "$OUT/handoff_time.txt" | tee "$OUT/table.md"
