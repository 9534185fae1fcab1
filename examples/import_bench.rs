//! Times a CSV import: validation (phone normalisation for every row) and the database write.
//!
//!     cargo run --release --features ssr --example import_bench -- [ROWS] [DATABASE_URL…]
//!
//! With no URL it uses a temporary SQLite file. For PostgreSQL, pass a server URL; a fresh
//! database is created on it for the run and dropped afterwards.

use std::time::Instant;
use warmline::csv_import::{validate, ImportOptions};
use warmline::store::{imports, Db};
use warmline::store::scratch::Scratch;

fn csv(rows: usize) -> String {
    let mut s = String::with_capacity(rows * 64);
    s.push_str("phone,first_name,last_name,email,tags,roof_age\n");
    for i in 0..rows {
        // (415) 2xx-xxxx: a valid US number per libphonenumber, unique per row.
        let exchange = 200 + i / 10_000;
        let line = i % 10_000;
        s.push_str(&format!("({}) {exchange}-{line:04},First{i},Last{i},person{i}@example.com,\"bench;t{}\",{}\n", 415, i % 7, i % 40));
    }
    s
}

async fn run(url: &str, rows: usize, text: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let t = Instant::now();
    let v = validate(text, &ImportOptions::default())?;
    let validate_s = t.elapsed().as_secs_f64();
    assert!(v.errors.is_empty(), "bench rows must be valid: {:?}", &v.errors[..v.errors.len().min(3)]);
    let t = Instant::now();
    let batch = imports::ImportBatch { list_name: "bench", filename: Some("bench.csv"), rows: &v.rows, skipped: &[], total_rows: v.total, created_by: None };
    let report = imports::import(&db, batch, &|_| {}).await?;
    let write_s = t.elapsed().as_secs_f64();
    assert_eq!(report.created as usize, rows);
    println!(
        "| {} | {rows} | {:.2} s | {:.2} s | {:.2} s | {:.0} rows/s |",
        db.backend().name(),
        validate_s,
        write_s,
        validate_s + write_s,
        rows as f64 / (validate_s + write_s)
    );
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(100_000);
    let urls: Vec<String> = args.collect();
    let text = csv(rows);
    println!("CSV: {rows} rows, {:.1} MB", text.len() as f64 / 1e6);
    println!("| database | rows | validate | write | total | throughput |");
    println!("|---|---|---|---|---|---|");
    let servers: Vec<Option<&str>> = if urls.is_empty() { vec![None] } else { urls.iter().map(|u| Some(u.as_str())).collect() };
    for server in servers {
        let scratch = Scratch::create("import_bench", server).await?;
        let result = run(&scratch.url, rows, text.as_bytes()).await;
        scratch.drop_now().await?;
        result?;
    }
    Ok(())
}
