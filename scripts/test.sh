#!/usr/bin/env bash
# Handoff's one test command: every Rust test of the workspace (SQLite and
# PostgreSQL), then the browser tests against the real binary.
#
#   bash scripts/test.sh
#
# PostgreSQL tests use HANDOFF_TEST_POSTGRES_URL when it is set; otherwise the
# store's test harness starts a private cluster with initdb/pg_ctl.
# The browser tests need Debian's Chromium at /usr/bin/chromium (or
# HANDOFF_CHROMIUM) and node/npm; they run `npm ci` once if needed.
#
# Every part runs even when an earlier one fails; the script exits non-zero
# if any part failed and ends with one line "N passed, N failed".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

logs=$(mktemp -d "${TMPDIR:-/tmp}/handoff-test-logs.XXXXXX")
trap 'rm -rf "$logs"' EXIT

passed=0
failed=0
status=0

# Runs one part; its output goes to the terminal and to $logs/$1.log.
part() {
    local name=$1
    shift
    local start=$SECONDS rc
    echo "==> $name: $*"
    "$@" 2>&1 | tee "$logs/$name.log"
    rc=${PIPESTATUS[0]}
    echo "==> $name: exit $rc after $((SECONDS - start)) s"
    return "$rc"
}

# Adds a part's counts; a part that failed without counting a failure (it did
# not build, or its runner died) counts as one failure.
tally() {
    local name=$1 rc=$2 p=$3 f=$4
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ]; then
        status=1
        if [ "$f" -eq 0 ]; then
            echo "==> $name failed (exit $rc) before reporting a failing test" >&2
            failed=$((failed + 1))
        fi
    fi
}

# --- The API contract's tool ---------------------------------------------------
# schemathesis, pinned, in a virtual environment of its own (the Rust test
# crates/cli/tests/schemathesis.rs runs it against the real binary).
venv=tests/contract/.venv
if ! "$venv/bin/st" --version >/dev/null 2>&1 ||
    ! grep -qx "schemathesis==$("$venv/bin/st" --version | awk '{print $NF}')" tests/contract/requirements.txt; then
    rc=0
    part venv bash -c "python3 -m venv $venv && $venv/bin/pip install -q -r tests/contract/requirements.txt" || rc=$?
    if [ "$rc" -ne 0 ]; then
        tally venv "$rc" 0 0
    fi
fi

# --- Rust ---------------------------------------------------------------------
rc=0
part rust cargo test --workspace --no-fail-fast || rc=$?
# "test result: ok. 12 passed; 0 failed; 0 ignored; ..." once per test binary.
read -r p f < <(awk '/^test result: / {
        for (i = 1; i < NF; i++) {
            if ($(i + 1) ~ /^passed/) p += $i
            if ($(i + 1) ~ /^failed/) f += $i
        }
    } END { print p + 0, f + 0 }' "$logs/rust.log")
tally rust "$rc" "$p" "$f"

# --- Browser --------------------------------------------------------------------
# The binary (target/debug/handoff). Built with the same target selection as
# `cargo test --workspace`, so the features match and nothing is rebuilt;
# `cargo build -p handoff` would resolve other features and recompile a dozen
# crates.
rc=0
part build cargo build --workspace --bins --tests || rc=$?
if [ "$rc" -ne 0 ]; then
    tally build "$rc" 0 0
else
    rc=0
    if [ ! -d tests/browser/node_modules ]; then
        part npm-ci npm ci --prefix tests/browser --no-audit --no-fund || rc=$?
    fi
    if [ "$rc" -ne 0 ]; then
        tally npm-ci "$rc" 0 0
    else
        part browser bash -c 'cd tests/browser && exec node --test' || rc=$?
        # node's TAP summary: "# pass N", "# fail N", "# cancelled N".
        p=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$logs/browser.log" | tail -1)
        f=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$logs/browser.log" | tail -1)
        c=$(sed -nE 's/^# cancelled ([0-9]+)$/\1/p' "$logs/browser.log" | tail -1)
        tally browser "$rc" "${p:-0}" "$((${f:-0} + ${c:-0}))"
    fi
fi

echo "$passed passed, $failed failed"
exit "$status"
