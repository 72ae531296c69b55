#!/usr/bin/env bash
# Agreement check on several generated datasets: for each seed, generate the
# data, run reference.py and `handoff evaluate`, compare with SPEC §9.
# Usage: bench/stats/seeds.sh [SCALE] SEED...   (e.g. bench/stats/seeds.sh small 2 3 4 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${1:-small}
shift || true
SEEDS=${*:-2 3 4 5}
SPEC_DIR=${SPEC_DIR:-../shared/data/evaluation}
PY=bench/stats/.venv/bin/python
BIN=${CARGO_TARGET_DIR:-target}/release/handoff
cargo build --release -p handoff >/dev/null
status=0
for s in $SEEDS; do
  DATA=bench/stats/out/seeds/s${s}-${SCALE}
  mkdir -p "$DATA"
  [ -f "$DATA/study.csv" ] || "$PY" "$SPEC_DIR/gen_eval.py" --seed "$s" --scale "$SCALE" --out "$DATA" >/dev/null
  if [ ! -f "$DATA/reference.json" ] &&
     ! "$PY" "$SPEC_DIR/reference.py" "$DATA" --out "$DATA/reference.json" >/dev/null 2>"$DATA/reference_err.txt"; then
    # e.g. SPEC §11.1: a race in one group only, where the reference raises
    printf 'seed %s (%s): reference.py refused: %s\n  handoff: ' "$s" "$SCALE" "$(tail -1 "$DATA/reference_err.txt")"
    "$BIN" evaluate --data "$DATA" --out "$DATA/handoff.json" 2>&1 | grep '^warning: ipw' || echo "(no ipw warning)"
    continue
  fi
  "$BIN" evaluate --data "$DATA" --out "$DATA/handoff.json"
  printf 'seed %s (%s): ' "$s" "$SCALE"
  "$PY" bench/stats/compare.py "$DATA/reference.json" "$DATA/handoff.json" | head -1 || status=1
done
exit $status
