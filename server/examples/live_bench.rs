//! The live channel and the webhook door, measured against the real `warmline` binary (a
//! release build, started as a child process on loopback with the built-in SMS simulator):
//!
//! - *realtime*: a signed inbound Twilio webhook posted to a server, until this program's
//!   `EventSource`-style client (it reads `/app/events` as a browser does) gets the `message`
//!   event; one server, and on PostgreSQL two servers on one database (webhook to the first,
//!   stream from the second, through `LISTEN/NOTIFY`);
//! - *ingest*: signed inbound webhooks as fast as 32 connections can post them (signature
//!   check, durable insert, processing, broadcast all happen before the answer), then the
//!   rows counted; then half that rate, paced, for the latency;
//! - *memory*: the server's RSS idle, then holding 10,000 open live-event streams, each on a
//!   connection of its own (the lean path, `server/src/live`); then, on a new server, the
//!   same number on connections that carried a request first (`GET /healthz`, then the
//!   stream), which hyper and the axum route serve: the default axum SSE, side by side.
//!
//! ```text
//! cargo build --release -p warmline-server --bin warmline --example live_bench
//! target/release/examples/live_bench [postgres://…]   # no URL: SQLite
//! ```
//! `BENCH_SERVER_BIN` names the binary (default `target/release/warmline`); `BENCH_WEBHOOKS`
//! the ingest count (default 20000); `BENCH_STREAMS` the open streams (default 10000).

use futures_util::StreamExt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use warmline::store::scratch::Scratch;
use warmline::store::Db;

mod support;
use support::{client, mb, pct, server_bin, session_cookie, sign_in, BoxError, Server, PUBLIC_URL, TOKEN};

const INBOUND: &str = "/webhooks/twilio/sms";


/// An inbound SMS as Twilio posts it: the form body and its `X-Twilio-Signature`.
fn inbound(n: usize, from: usize) -> (String, String) {
    let params: Vec<(String, String)> = vec![
        ("ToCountry".into(), "US".into()),
        ("NumMedia".into(), "0".into()),
        ("Body".into(), format!("Hi, is the quote still good? ({n})")),
        ("To".into(), "+14155550100".into()),
        ("MessageSid".into(), format!("SM{:032x}", 0xbe00_0000_0000u64 + n as u64)),
        ("AccountSid".into(), "ACbench".into()),
        ("From".into(), format!("+1415555{:04}", 1000 + from % 8000)),
        ("ApiVersion".into(), "2010-04-01".into()),
    ];
    let signature = warmline::sms::twilio_signature::compute(TOKEN, &format!("{PUBLIC_URL}{INBOUND}"), &params);
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish();
    (body, signature)
}

async fn post(client: &reqwest::Client, server_base: &str, (body, signature): &(String, String)) -> Result<(), BoxError> {
    let resp = client
        .post(format!("{server_base}{INBOUND}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body.clone())
        .send()
        .await?;
    if !resp.status().is_success() {
        return Err(format!("webhook answered {}", resp.status()).into());
    }
    Ok(())
}

/// One live-event stream, read the way `EventSource` reads it: each event's name and data,
/// with the moment it arrived.
async fn subscribe(client: &reqwest::Client, url: &str) -> Result<mpsc::UnboundedReceiver<(Instant, String, String)>, BoxError> {
    let resp = client.get(url).header("accept", "text/event-stream").send().await?;
    if !resp.status().is_success() {
        return Err(format!("/app/events answered {}", resp.status()).into());
    }
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut stream = resp.bytes_stream();
        let mut buf = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            let at = Instant::now();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let (mut name, mut data) = (String::from("message"), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if !block.starts_with(':') && tx.send((at, name, data)).is_err() {
                    return;
                }
            }
        }
    });
    Ok(rx)
}

/// Webhooks to `to`, one at a time from new senders, timed until `from`'s stream carries the
/// new conversation's `message` event. Returns (p50, p99) in ms.
async fn realtime(to: &Server, from: &Server, client: &reqwest::Client, n: usize, first: usize) -> Result<(f64, f64), BoxError> {
    let mut events = subscribe(client, &from.url("/app/events")).await?;
    // The stream's hello.
    events.recv().await.ok_or("the live stream closed")?;
    let mut seen = std::collections::HashSet::new();
    let mut times = Vec::with_capacity(n);
    for i in first..first + n {
        let webhook = inbound(i, i);
        let started = Instant::now();
        let (c, base) = (client.clone(), to.base.clone());
        let sent = tokio::spawn(async move { post(&c, &base, &webhook).await });
        loop {
            let (at, name, data) = tokio::time::timeout(Duration::from_secs(10), events.recv()).await?.ok_or("the live stream closed")?;
            let Ok(ev) = serde_json::from_str::<serde_json::Value>(&data) else { continue };
            if name == "change" && ev["type"] == "message" && seen.insert(ev["contact_id"].to_string()) {
                times.push(at - started);
                break;
            }
        }
        sent.await??;
    }
    times.sort();
    Ok((pct(&times, 0.5), pct(&times, 0.99)))
}

/// Posts `n` webhooks over 32 connections as fast as they are answered. Returns the rate.
async fn ingest(server: &Server, n: usize, first: usize) -> Result<f64, BoxError> {
    let bodies: Arc<Vec<(String, String)>> = Arc::new((first..first + n).map(|i| inbound(i, i % 2000)).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let client = client();
    let started = Instant::now();
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (bodies, next, client, base) = (bodies.clone(), next.clone(), client.clone(), server.base.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(webhook) = bodies.get(i) else { return Ok::<_, BoxError>(()) };
                    post(&client, &base, webhook).await?;
                }
            })
        })
        .collect();
    for w in workers {
        w.await??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// Posts webhooks at `rate` per second for `secs`, each timed from the moment it was due
/// (so a slow answer also delays the count of the ones queued behind it). Returns p99 in ms.
async fn paced(server: &Server, rate: f64, secs: f64, first: usize) -> Result<(usize, f64), BoxError> {
    let n = (rate * secs) as usize;
    let client = client();
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for k in 0..n {
        let due = start + Duration::from_secs_f64(k as f64 / rate);
        tokio::time::sleep_until(due).await;
        let webhook = inbound(first + k, (first + k) % 2000);
        let (client, base) = (client.clone(), server.base.clone());
        tasks.push(tokio::spawn(async move {
            post(&client, &base, &webhook).await?;
            Ok::<_, BoxError>(due.elapsed())
        }));
    }
    let mut times = Vec::with_capacity(n);
    for t in tasks {
        times.push(t.await??);
    }
    times.sort();
    Ok((n, pct(&times, 0.99)))
}

async fn count(db: &Db, sql: &str) -> Result<i64, BoxError> {
    let row = sqlx::query(sql).fetch_one(db.pool()).await?;
    Ok(sqlx::Row::try_get::<i64, _>(&row, 0)?)
}

/// Opens `n` live-event streams (256 at a time), each waiting for its hello. Returns them
/// (they stay open while held).
async fn open_streams(server: &Server, client: &reqwest::Client, n: usize) -> Result<Vec<mpsc::UnboundedReceiver<(Instant, String, String)>>, BoxError> {
    let url = server.url("/app/events");
    let mut open = Vec::with_capacity(n);
    let mut pending = futures_util::stream::iter((0..n).map(|_| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let mut rx = subscribe(&client, &url).await?;
            rx.recv().await.ok_or("a stream closed before its hello")?;
            Ok::<_, BoxError>(rx)
        }
    }))
    .buffer_unordered(256);
    while let Some(rx) = pending.next().await {
        open.push(rx?);
    }
    Ok(open)
}

/// Opens `n` streams on the axum route: each connection first carries `GET /healthz`, so the
/// stream is its second request and hyper serves it. Returns the sockets once every stream
/// sent its hello.
async fn open_axum_streams(server: &Server, cookie: &str, n: usize) -> Result<Vec<tokio::net::TcpStream>, BoxError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut open = Vec::with_capacity(n);
    let mut pending = futures_util::stream::iter((0..n).map(|_| {
        let (addr, cookie) = (addr.clone(), cookie.to_string());
        async move {
            let mut tcp = tokio::net::TcpStream::connect(&addr).await?;
            let requests = format!(
                "GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\nGET /app/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
            );
            tcp.write_all(requests.as_bytes()).await?;
            let mut seen = Vec::new();
            let mut buf = [0u8; 1024];
            while !String::from_utf8_lossy(&seen).contains("event: resync") {
                match tcp.read(&mut buf).await? {
                    0 => return Err::<_, BoxError>("a stream closed before its hello".into()),
                    k => seen.extend_from_slice(&buf[..k]),
                }
            }
            Ok(tcp)
        }
    }))
    .buffer_unordered(256);
    while let Some(tcp) = pending.next().await {
        open.push(tcp?);
    }
    Ok(open)
}

async fn run(bin: &Path, server_url: Option<&str>) -> Result<(), BoxError> {
    let webhooks: usize = std::env::var("BENCH_WEBHOOKS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let streams: usize = std::env::var("BENCH_STREAMS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let scratch = Scratch::create("live_bench", server_url).await?;
    let label = scratch.label();
    let dir = std::env::temp_dir().join(format!("warmline-live-bench-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        let a = Server::start(bin, &scratch.url, &dir).await?;
        let client = client();
        sign_in(&a, &client).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let idle = a.rss();

        let (p50, p99) = realtime(&a, &a, &client, 300, 0).await?;
        let two = if label == "postgres" {
            let b = Server::start(bin, &scratch.url, &dir).await?;
            let (p50, p99) = realtime(&a, &b, &client, 300, 300).await?;
            format!("{p50:.1} ms / {p99:.1} ms")
        } else {
            "(one database file: one server)".to_string()
        };
        println!("| {label} | realtime, one server | 300 webhooks | p50 {p50:.1} ms, p99 {p99:.1} ms | p50 ≤ 5 ms, p99 ≤ 25 ms |");
        println!("| {label} | realtime, two servers (`LISTEN/NOTIFY`) | 300 webhooks | p50 / p99 {two} | p99 ≤ 50 ms |");

        let db = Db::connect(&scratch.url).await?;
        let before = count(&db, "SELECT COUNT(*) FROM webhook_events").await?;
        let rate = ingest(&a, webhooks, 1_000).await?;
        let stored = count(&db, "SELECT COUNT(*) FROM webhook_events").await? - before;
        let unprocessed = count(&db, "SELECT COUNT(*) FROM webhook_events WHERE processed_at IS NULL").await?;
        let target = if label == "sqlite" { "≥ 5,000/s" } else { "≥ 3,000/s" };
        println!("| {label} | ingest, 32 connections | {webhooks} webhooks | {rate:.0}/s; stored {stored}, unprocessed {unprocessed} | {target} |");
        let (sent, p99) = paced(&a, rate / 2.0, 5.0, 1_000 + webhooks).await?;
        println!("| {label} | ingest at half that rate ({:.0}/s, 5 s) | {sent} webhooks | p99 {p99:.1} ms | p99 ≤ 10 ms |", rate / 2.0);
        db.close().await;

        let client = client;
        let before = a.rss();
        let started = Instant::now();
        let open = open_streams(&a, &client, streams).await?;
        let opened = started.elapsed();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let held = a.rss();
        println!(
            "| {label} | memory, the live channel | {} open live-event streams, a connection each (opened in {:.1} s) | idle {}, before the streams {}, with them {}: {} more, {:.1} kB each | ≤ 100 MB more |",
            open.len(),
            opened.as_secs_f64(),
            mb(idle),
            mb(before),
            mb(held),
            mb(held.saturating_sub(before)),
            held.saturating_sub(before) as f64 / open.len().max(1) as f64 / 1024.0
        );
        drop(open);
        let lean_each = held.saturating_sub(before) as f64 / streams.max(1) as f64;
        drop(a);

        // The same on the default axum SSE route, on a new server (so memory the first one
        // freed does not flatter either figure).
        let b = Server::start(bin, &scratch.url, &dir).await?;
        let cookie = session_cookie(&b).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = b.rss();
        let started = Instant::now();
        let open = open_axum_streams(&b, &cookie, streams).await?;
        let opened = started.elapsed();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let held = b.rss();
        let axum_each = held.saturating_sub(before) as f64 / open.len().max(1) as f64;
        println!(
            "| {label} | memory, the default axum SSE (side by side) | {} open streams on reused connections (opened in {:.1} s) | before the streams {}, with them {}: {} more, {:.1} kB each ({:.1}× the lean path) | |",
            open.len(),
            opened.as_secs_f64(),
            mb(before),
            mb(held),
            mb(held.saturating_sub(before)),
            axum_each / 1024.0,
            axum_each / lean_each.max(1.0)
        );
        drop(open);
        Ok::<_, BoxError>(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    scratch.drop_now().await?;
    result
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let bin = server_bin()?;
    let urls: Vec<String> = std::env::args().skip(1).collect();
    println!("| database | what | load | measured | target |");
    println!("|---|---|---|---|---|");
    if urls.is_empty() {
        run(&bin, None).await?;
    }
    for url in &urls {
        run(&bin, Some(url)).await?;
    }
    Ok(())
}
