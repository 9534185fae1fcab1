#!/usr/bin/env bash
# Installs the tools Warmline needs to build and test. Safe to run any number of times:
# every step checks first and is skipped when its tool is already in place.
#
#   bash scripts/setup.sh                 # Rust wasm target, cargo-leptos, wasm-bindgen-cli, npm packages
#   bash scripts/setup.sh --with-browser  # ... and Debian's chromium for the Playwright tests
#
# Nothing is exported to the caller; the Makefile puts node_modules/.bin and ~/.cargo/bin on PATH.
set -euo pipefail

CARGO_LEPTOS_VERSION="0.3.10"

with_browser=0
for arg in "$@"; do
    case "$arg" in
        --with-browser) with_browser=1 ;;
        -h | --help)
            sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "setup: unknown argument '$arg' (expected --with-browser)" >&2
            exit 2
            ;;
    esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

# Tools installed by cargo land in ~/.cargo/bin; make sure this script sees them.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$root/node_modules/.bin:$PATH"
# @playwright/test must never try to download its own browsers: we use Debian's chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf 'setup: %s\n' "$*"; }
die() {
    printf 'setup: error: %s\n' "$*" >&2
    exit 1
}

command -v cargo >/dev/null 2>&1 || die "cargo not found; install Rust with rustup (https://rustup.rs)"
command -v rustup >/dev/null 2>&1 || die "rustup not found; the wasm32 target is installed with rustup (https://rustup.rs)"
command -v npm >/dev/null 2>&1 || die "npm not found; install Node.js 20 or newer"

# 1. The browser bundle is compiled for wasm32-unknown-unknown.
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
    say "rust target wasm32-unknown-unknown: present, skipped"
else
    say "rust target wasm32-unknown-unknown: installing"
    rustup target add wasm32-unknown-unknown
fi

# 2. cargo-leptos builds the server and the wasm bundle together.
leptos_have="$(cargo leptos --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$leptos_have" == "$CARGO_LEPTOS_VERSION" ]]; then
    say "cargo-leptos $CARGO_LEPTOS_VERSION: present, skipped"
else
    say "cargo-leptos $CARGO_LEPTOS_VERSION: installing (found '${leptos_have:-none}'; this compiles for several minutes)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

# 3. wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
if [[ ! -f Cargo.lock ]]; then
    say "Cargo.lock: missing, generating it (resolves versions, compiles nothing)"
    cargo generate-lockfile
fi
wb_want="$(awk '
    $0 == "name = \"wasm-bindgen\"" { found = 1; next }
    found && /^version = / { gsub(/^version = "|"$/, ""); print; exit }
    /^\[\[package\]\]/ { found = 0 }
' Cargo.lock)"
[[ -n "$wb_want" ]] || die "could not find the wasm-bindgen version in Cargo.lock"
wb_have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$wb_have" == "$wb_want" ]]; then
    say "wasm-bindgen-cli $wb_want: present, skipped"
else
    say "wasm-bindgen-cli $wb_want: installing (found '${wb_have:-none}'; this compiles for several minutes)"
    cargo install wasm-bindgen-cli --version "$wb_want"
fi

# 4. npm packages: Tailwind CSS, wasm-opt (binaryen), Playwright.
stamp="node_modules/.warmline-stamp"
npm_needed=0
if [[ ! -f "$stamp" || ! -x node_modules/.bin/tailwindcss || ! -x node_modules/.bin/wasm-opt || ! -x node_modules/.bin/playwright ]]; then
    npm_needed=1
elif [[ package.json -nt "$stamp" ]] || { [[ -f package-lock.json ]] && [[ package-lock.json -nt "$stamp" ]]; }; then
    npm_needed=1
fi
if [[ "$npm_needed" == 0 ]]; then
    say "npm packages: up to date, skipped"
elif [[ -f package-lock.json ]]; then
    say "npm packages: installing from package-lock.json (npm ci)"
    npm ci --no-audit --no-fund
    touch "$stamp"
else
    say "npm packages: installing and writing package-lock.json (npm install)"
    npm install --no-audit --no-fund
    touch "$stamp"
fi

# 5. Debian's chromium drives the end-to-end tests (Playwright cannot download its own here).
if [[ "$with_browser" == 1 ]]; then
    if [[ -x /usr/bin/chromium ]]; then
        say "chromium: present at /usr/bin/chromium, skipped"
    else
        command -v apt-get >/dev/null 2>&1 || die "/usr/bin/chromium is missing and apt-get is not available; install Chromium so that /usr/bin/chromium exists"
        sudo=()
        if [[ "$(id -u)" != 0 ]]; then
            command -v sudo >/dev/null 2>&1 || die "/usr/bin/chromium is missing; run as root or install sudo, or run: apt-get install chromium"
            sudo=(sudo)
        fi
        say "chromium: installing with apt-get"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
        [[ -x /usr/bin/chromium ]] || die "apt-get finished but /usr/bin/chromium is still missing"
    fi
fi

say "done"
