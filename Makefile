# Warmline developer commands. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Tools installed by scripts/setup.sh: npm's (tailwindcss, wasm-opt, playwright) and cargo's
# (cargo-leptos, wasm-bindgen). cargo-leptos finds tailwindcss, wasm-opt and wasm-bindgen on PATH
# instead of downloading them.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Playwright drives Debian's /usr/bin/chromium; it must never try to download browsers.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# cargo-leptos sets this when it builds; setting it here too lets plain `cargo test` reuse the
# same compiled Leptos crates instead of rebuilding them.
export LEPTOS_OUTPUT_NAME := warmline

.PHONY: help setup run test bench release fmt lint clean

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: ## Install the toolchain pieces (wasm target, cargo-leptos, wasm-bindgen-cli, npm packages)
	bash scripts/setup.sh

run: setup ## Build (debug) and serve on WARMLINE_ADDR (default 127.0.0.1:3000) with .env / defaults
	bash scripts/ensure-lead-key.sh
	cargo leptos build
	LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg target/debug/warmline serve

test: ## All tests: Rust (core + server, SQLite and PostgreSQL), then Playwright end-to-end
	bash scripts/setup.sh --with-browser
	bash scripts/test.sh

bench: ## Benchmarks (scripts/bench.sh, when present)
	@if [[ -f scripts/bench.sh ]]; then bash scripts/bench.sh; else echo "bench: no benchmarks yet (scripts/bench.sh does not exist)"; fi

release: setup ## Optimised build: target/release/warmline and target/site (with .br and .gz copies)
	cargo leptos build --release --precompress

fmt: ## Format the Rust code
	cargo fmt --all

lint: ## Check the Rust formatting
	cargo fmt --all -- --check

clean: ## Remove build and test output (keeps node_modules and databases)
	cargo clean
	rm -rf end2end/test-results end2end/playwright-report test-results playwright-report
