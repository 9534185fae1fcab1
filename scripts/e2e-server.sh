#!/usr/bin/env bash
# Runs the already built server for the Playwright tests (started by end2end/playwright.config.ts).
#
# Each run gets a fresh SQLite database in a temporary directory, removed again on exit.
# Build first with `cargo leptos build` (scripts/test.sh does). The server's output goes to
# target/e2e-server.log (or $E2E_SERVER_LOG); its last lines are printed if it stops on its own.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

port="${E2E_PORT:-3100}"
bin="$root/target/debug/warmline"
log="${E2E_SERVER_LOG:-$root/target/e2e-server.log}"

if [[ ! -x "$bin" ]]; then
    echo "e2e-server: $bin not found; build it first with: cargo leptos build" >&2
    exit 1
fi
if [[ ! -d "$root/target/site/pkg" ]]; then
    echo "e2e-server: target/site/pkg not found; build the site first with: cargo leptos build" >&2
    exit 1
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/warmline-e2e.XXXXXX")"
pid=""
stopping=0

# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        # Give it a moment to shut down cleanly, then make sure it is gone.
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'stopping=1; exit 143' TERM
trap 'stopping=1; exit 130' INT
trap 'stopping=1; exit 129' HUP

mkdir -p "$(dirname "$log")"
echo "e2e-server: starting $bin on 127.0.0.1:$port, database in $tmp, log in $log" >&2

# Not exec: the shell stays to remove the temporary directory when the server stops.
env \
    DATABASE_URL="sqlite:$tmp/e2e.db" \
    WARMLINE_ADDR="127.0.0.1:$port" \
    PUBLIC_URL="http://127.0.0.1:$port" \
    SMS_PROVIDER=simulator \
    TWILIO_AUTH_TOKEN="${E2E_TWILIO_AUTH_TOKEN:-e2e-twilio-auth-token}" \
    LEAD_SECRET_KEY="${E2E_LEAD_SECRET_KEY:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}" \
    STRIPE_PROVIDER=simulator \
    LEPTOS_SITE_ROOT=target/site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_OUTPUT_NAME=warmline \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    RUST_LOG="${E2E_RUST_LOG:-info,warmline=debug}" \
    "$bin" serve >"$log" 2>&1 &
pid=$!

status=0
wait "$pid" || status=$?
pid=""
if [[ "$stopping" == 0 ]]; then
    echo "e2e-server: the server exited with status $status; last lines of $log:" >&2
    tail -n 40 "$log" >&2 || true
fi
exit "$status"
