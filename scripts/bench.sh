#!/usr/bin/env bash
# Benchmarks (release build). Prints Markdown tables for docs/benchmarks.md.
#   BENCH_ROWS          rows to import (default 100000)
#   BENCH_CONTACTS      contacts in the farming selection benchmark (default 1000000)
#   BENCH_MESSAGES      messages sent through the pipeline benchmark on SQLite (default 100000)
#   BENCH_PG_MESSAGES   the same on PostgreSQL (default 20000: it sends at about 350/s)
#   BENCH_WEBHOOKS      inbound webhooks in the ingest benchmark (default 20000)
#   BENCH_STREAMS       open live-event streams in the memory benchmark (default 10000)
#   BENCH_HISTORY       messages in the analytics benchmark's history (default 10000000)
#   BENCH_LEADS         form submissions timed to their first text (default 200)
#   BENCH_INBOX         messages behind the inbox search and page-speed benchmark on SQLite (default 10000000)
#   BENCH_PG_INBOX      the same on PostgreSQL (default 10000000)
#   TEST_DATABASE_URL   PostgreSQL server to benchmark on (default postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows="${BENCH_ROWS:-100000}"
contacts="${BENCH_CONTACTS:-1000000}"
pg="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH" LEPTOS_OUTPUT_NAME=warmline
echo "## Browser bundle ($(date -u +%Y-%m-%d), $(nproc) cores)"
cargo leptos build --release --precompress >/dev/null 2>&1 || cargo leptos build --release --precompress
node scripts/bundle-size.mjs target/site/pkg
echo
echo "## Live events, webhook ingest and memory, against target/release/warmline ($(date -u +%Y-%m-%d), $(nproc) cores)"
cargo build --quiet --release -p warmline-server --bin warmline --example live_bench
target/release/examples/live_bench
target/release/examples/live_bench "$pg" | tail -n +3
echo
echo "## CSV import ($(date -u +%Y-%m-%d), $(nproc) cores)"
cargo run --quiet --release --features ssr --example import_bench -- "$rows"
cargo run --quiet --release --features ssr --example import_bench -- "$rows" "$pg" | tail -n 1
echo
echo "## Warm-lead farming selection ($(date -u +%Y-%m-%d), $(nproc) cores)"
cargo run --quiet --release --features ssr --example farming_bench -- "$contacts"
cargo run --quiet --release --features ssr --example farming_bench -- "$contacts" "$pg" | tail -n 1
echo
echo "## Outbound pipeline against a fake Twilio on loopback ($(date -u +%Y-%m-%d), $(nproc) cores)"
cargo run --quiet --release --features ssr --example pipeline_bench -- "${BENCH_MESSAGES:-100000}"
cargo run --quiet --release --features ssr --example pipeline_bench -- "${BENCH_PG_MESSAGES:-20000}" "$pg" | tail -n 1
echo
echo "## Analytics page over a large history ($(date -u +%Y-%m-%d), $(nproc) cores)"
cargo run --quiet --release --features ssr --example analytics_bench -- "${BENCH_HISTORY:-10000000}" "$contacts"
cargo run --quiet --release --features ssr --example analytics_bench -- "${BENCH_HISTORY:-10000000}" "$contacts" "$pg" | tail -n 1
echo
echo "## Contact search ($(date -u +%Y-%m-%d), $(nproc) cores)"
cargo run --quiet --release --features ssr --example search_bench -- "$contacts"
cargo run --quiet --release --features ssr --example search_bench -- "$contacts" "$pg" | tail -n +3
echo
echo "## Inbox search, page speed and time to interactive at scale, against target/release/warmline ($(date -u +%Y-%m-%d), $(nproc) cores)"
cargo build --quiet --release -p warmline-server --bin warmline --example scale_bench
target/release/examples/scale_bench "$contacts" "${BENCH_INBOX:-10000000}"
target/release/examples/scale_bench "$contacts" "${BENCH_PG_INBOX:-10000000}" "$pg" | tail -n +3
echo
echo "## Speed to lead and the lead-score recompute ($(date -u +%Y-%m-%d), $(nproc) cores)"
cargo run --quiet --release --features ssr --example lead_bench -- "${BENCH_LEADS:-200}" "$contacts"
cargo run --quiet --release --features ssr --example lead_bench -- "${BENCH_LEADS:-200}" "$contacts" "$pg" | tail -n 1
