#!/usr/bin/env bash
# Benchmark Handoff's linkage engine against Splink 5 (DuckDB) on the same data
# in the same run, and write the table into README.md.
#
#   bench/linkage/run.sh                       # all datasets, one run each
#   bench/linkage/run.sh --repeat 3            # median of 3
#   bench/linkage/run.sh --datasets febrl4,febrl3
#
# Data: LINKBENCH_DATA_DIR (default /work/shared/data/linkage) holds FEBRL and
# the small synthetic set; the large synthetic set is generated into
# bench/linkage/large/ (gitignored) on first use.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export LINKBENCH_DATA_DIR="${LINKBENCH_DATA_DIR:-/work/shared/data/linkage}"
export LINKBENCH_LARGE_DIR="${LINKBENCH_LARGE_DIR:-$HERE/large}"
VENV="$HERE/.venv"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
fi
if [ ! -f "$LINKBENCH_LARGE_DIR/people_large_events.csv" ]; then
  mkdir -p "$LINKBENCH_LARGE_DIR"
  "$VENV/bin/python" "$HERE/gen_people.py" --registry 100000 --events 1000000 --seed 42 \
    --out "$LINKBENCH_LARGE_DIR" --prefix people_large_
fi
(cd "$ROOT" && cargo build --release -p handoff)
export HANDOFF_BIN="$ROOT/target/release/handoff"

mkdir -p "$HERE/out"
"$VENV/bin/python" "$HERE/bench.py" "$@" | tee "$HERE/out/table.md"

# Replace the generated section of README.md.
"$VENV/bin/python" - "$HERE/README.md" "$HERE/out/results.md" "$*" <<'PY'
import datetime, platform, subprocess, sys
readme, table, args = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
text = open(readme).read()
start, end = "<!-- results:start -->", "<!-- results:end -->"
cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
note = (f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu} cores "
        f"(`bench/linkage/run.sh {args}`).\n\n")
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(f"{head}{start}\n{note}{table}{end}{tail}")
PY
