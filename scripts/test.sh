#!/usr/bin/env bash
# Runs every Warmline test, stopping at the first failure:
#   1. makes sure PostgreSQL is reachable for the storage tests (starts the local cluster if it can),
#   2. Rust tests of the core crate (with the server-only `ssr` feature), the app and the server,
#   3. `cargo leptos build --frontend-only` (wasm bundle + CSS into target/site; the server binary
#      comes from step 2),
#   4. the Playwright end-to-end tests in end2end/ (Debian's chromium, fresh SQLite database).
#
# Run `bash scripts/setup.sh --with-browser` first (`make test` does both).
#
# Environment:
#   TEST_DATABASE_URL  PostgreSQL for the storage tests (default postgres://postgres@127.0.0.1:5432/postgres)
#   CI=true            a missing PostgreSQL is an error instead of a warning
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

export PATH="$root/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Same value cargo-leptos uses, so `cargo test` and `cargo leptos build` share compiled Leptos crates.
export LEPTOS_OUTPUT_NAME=warmline
# A clean CI build gains nothing from incremental compilation, which only adds gigabytes of
# cache to target/ (CI machines' disks can be small).
if [[ "${CI:-}" == "true" ]]; then
    export CARGO_INCREMENTAL=0
fi

started=$SECONDS
step="start"
postgres_note="postgres: not checked"

say() { printf 'test: %s\n' "$*"; }

on_exit() {
    local status=$?
    if [[ "$status" != 0 ]]; then
        printf 'test: FAILED during %s (exit %s) after %ss; %s\n' "$step" "$status" "$((SECONDS - started))" "$postgres_note" >&2
    fi
}
trap on_exit EXIT

# ---------------------------------------------------------------------------------------------
# 1. PostgreSQL
# ---------------------------------------------------------------------------------------------
step="the PostgreSQL check"
pg_url_explicit=0
if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    pg_url_explicit=1
fi
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# Host and port out of postgres://user:pass@host:port/db?params (defaults 127.0.0.1 and 5432).
pg_hostport="${TEST_DATABASE_URL#*://}"
pg_hostport="${pg_hostport%%/*}"
pg_hostport="${pg_hostport%%\?*}"
pg_hostport="${pg_hostport##*@}"
if [[ "$pg_hostport" == \[*\]* ]]; then # [ipv6]:port
    pg_host="${pg_hostport%%]*}"
    pg_host="${pg_host#[}"
    pg_port="${pg_hostport##*]}"
    pg_port="${pg_port#:}"
else
    pg_host="${pg_hostport%%:*}"
    pg_port=""
    [[ "$pg_hostport" == *:* ]] && pg_port="${pg_hostport##*:}"
fi
pg_host="${pg_host:-127.0.0.1}"
pg_port="${pg_port:-5432}"

pg_reachable() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$pg_host" -p "$pg_port" -t 3 >/dev/null 2>&1
    else
        timeout 3 bash -c "exec 3<>/dev/tcp/$pg_host/$pg_port" >/dev/null 2>&1
    fi
}

# Accepting connections is not enough: the tests must be able to log in.
pg_login_error=""
pg_can_login() {
    command -v psql >/dev/null 2>&1 || return 0
    pg_login_error="$(PGCONNECT_TIMEOUT=5 psql "$TEST_DATABASE_URL" -X -Atqc 'select 1' 2>&1 >/dev/null)"
}

pg_start_local() {
    local versions version
    [[ "$pg_url_explicit" == 0 && -d /etc/postgresql ]] || return 1
    command -v pg_ctlcluster >/dev/null 2>&1 || return 1
    # shellcheck disable=SC2012 # cluster versions are plain numbers
    versions="$(ls /etc/postgresql 2>/dev/null | sort -V)"
    [[ -n "$versions" ]] || return 1
    version="$(tail -n 1 <<<"$versions")"
    [[ -d "/etc/postgresql/$version/main" ]] || return 1
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || return 1
        sudo=(sudo -n)
    fi
    say "PostgreSQL is not running; starting the local cluster $version/main"
    "${sudo[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start || return 1
    local waited=0
    until pg_reachable; do
        ((waited >= 20)) && return 1
        sleep 1
        waited=$((waited + 1))
    done
}

pg_problem=""
if ! pg_reachable; then
    if ! pg_start_local || ! pg_reachable; then
        pg_problem="nothing accepts connections at $pg_host:$pg_port"
    fi
fi
if [[ -z "$pg_problem" ]] && ! pg_can_login; then
    pg_problem="cannot log in with TEST_DATABASE_URL: ${pg_login_error//$'\n'/ }"
fi

if [[ -z "$pg_problem" ]]; then
    postgres_note="postgres: used ($pg_host:$pg_port)"
    say "PostgreSQL reachable at $pg_host:$pg_port"
elif [[ "${CI:-}" == "true" ]]; then
    echo "test: error: PostgreSQL is required in CI but $pg_problem." >&2
    echo "test: start PostgreSQL or set TEST_DATABASE_URL to a database the tests may use." >&2
    exit 1
else
    export WARMLINE_SKIP_POSTGRES=1
    postgres_note="postgres: SKIPPED"
    {
        echo "test: ##################################################################"
        echo "test: WARNING: PostgreSQL tests are SKIPPED: $pg_problem."
        echo "test: Only SQLite is tested. Start PostgreSQL or set TEST_DATABASE_URL"
        echo "test: (default postgres://postgres@127.0.0.1:5432/postgres) to test both."
        echo "test: ##################################################################"
    } >&2
fi

# ---------------------------------------------------------------------------------------------
# 2. Rust tests
# ---------------------------------------------------------------------------------------------
# One invocation for the core, the app and the server: one feature resolution, one build.
step="cargo test (core, app, server)"
say "$step"
cargo test -p warmline -p warmline-app -p warmline-server --features warmline/ssr,warmline-app/ssr

# ---------------------------------------------------------------------------------------------
# 3. Debug build of server and site for the browser tests
# ---------------------------------------------------------------------------------------------
# `cargo test` above already built target/debug/warmline (the CLI tests run it), so only the
# browser bundle, CSS and assets are built here: no second server build.
step="cargo leptos build --frontend-only"
say "$step"
cargo leptos build --frontend-only
test -x target/debug/warmline

# ---------------------------------------------------------------------------------------------
# 4. End-to-end tests
# ---------------------------------------------------------------------------------------------
step="the Playwright end-to-end tests"
say "npx playwright test (end2end/)"
(cd end2end && npx playwright test)

step="done"
say "PASSED: Rust tests (core, app, server), cargo leptos build and Playwright e2e in $((SECONDS - started))s; $postgres_note"
