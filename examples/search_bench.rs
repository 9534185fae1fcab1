//! Times contact search at scale, through the trigram index and, side by side, the plain
//! `LIKE` scan it replaced.
//!
//!     cargo run --release --features ssr --example search_bench -- [CONTACTS] [DATABASE_URL…]
//!
//! Fills a fresh database with CONTACTS contacts (default 1,000,000): first and last names from
//! lists of 60 and 80 (so a last name is shared by about 12,500 contacts), an email made from the
//! name and a number, and distinct phone numbers. Then runs each query 40 times through
//! `store::contacts::search` (the contacts page's and the REST API's search: the count, the
//! first page of 50 newest first, their tags) and reports the median and p95. The *LIKE scan*
//! column is the same count and page with `LOWER(…) LIKE '%…%'` over every contact. With no URL
//! it uses a temporary SQLite file; a PostgreSQL URL gets a fresh database created and dropped.

use std::time::Instant;
use warmline::contact::ContactQuery;
use warmline::phone::Region;
use warmline::store::{contacts, Db};
use warmline::store::scratch::{Scratch, FIRST_NAMES as FIRST, LAST_NAMES as LAST};

async fn fill(db: &Db, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let now = warmline::now_millis();
    const ROWS: usize = 400;
    let mut i = 0;
    while i < n {
        let rows = ROWS.min(n - i);
        let values: Vec<String> = (0..rows).map(|r| format!("(${}, ${}, ${}, ${}, ${}, ${})", r * 6 + 1, r * 6 + 2, r * 6 + 3, r * 6 + 4, r * 6 + 5, r * 6 + 6)).collect();
        let sql = format!("INSERT INTO contacts (phone, first_name, last_name, email, created_at, updated_at) VALUES {}", values.join(", "));
        let mut q = sqlx::query(&sql);
        for k in i..i + rows {
            let (f, l) = (FIRST[k % FIRST.len()], LAST[(k / FIRST.len()) % LAST.len()]);
            q = q.bind(format!("+1{}{:07}", 200 + (k / 10_000_000) % 700, k % 10_000_000)).bind(f).bind(l).bind(format!("{}.{}{}@example.com", f.to_lowercase(), l.to_lowercase(), k)).bind(now).bind(now);
        }
        q.execute(db.pool()).await?;
        i += rows;
    }
    if db.backend() == warmline::store::Backend::Postgres {
        // Steady state, as autovacuum leaves it: the GIN pending list merged, statistics taken.
        sqlx::query("VACUUM ANALYZE contacts").execute(db.pool()).await?;
    }
    Ok(())
}

fn stats(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1];
    (at(0.5), at(0.95))
}

/// The search the app runs: (median, p95) in ms, and how many it found.
async fn indexed(db: &Db, q: &str) -> Result<(f64, f64, String), Box<dyn std::error::Error>> {
    let query = ContactQuery { q: Some(q.into()), ..ContactQuery::default() };
    let mut times = Vec::new();
    let mut found = String::new();
    for _ in 0..40 {
        let t = Instant::now();
        let page = contacts::search(db, &query, Region::US).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        found = format!("{}{}", page.total, if page.total_capped { "+ (counted to the cap)" } else { "" });
    }
    let (p50, p95) = stats(times);
    Ok((p50, p95, found))
}

/// The same count and page by reading every contact (the search before the index).
async fn scan(db: &Db, q: &str) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let pattern = format!("%{}%", q.to_lowercase());
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let digits = if digits.len() >= 3 { format!("%{digits}%") } else { "-".into() };
    let filter = "(LOWER(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) LIKE $1 OR LOWER(COALESCE(email, '')) LIKE $1 OR phone LIKE $2)";
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        sqlx::query(&format!("SELECT COUNT(*) FROM contacts WHERE {filter}")).bind(&pattern).bind(&digits).fetch_one(db.pool()).await?;
        sqlx::query(&format!("SELECT id FROM contacts WHERE {filter} ORDER BY id DESC LIMIT 50")).bind(&pattern).bind(&digits).fetch_all(db.pool()).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(stats(times))
}

async fn run(url: &str, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let label = if url.starts_with("postgres") { "postgres" } else { "sqlite" };
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let t = Instant::now();
    fill(&db, n).await?;
    let fill_s = t.elapsed().as_secs_f64();
    let queries = [("a last name", "martinez"), ("a full name", "Rosa Garcia"), ("part of an email", "hall12345"), ("phone digits", "(200) 055-0123"), ("a name fragment", "artin")];
    for (what, q) in queries {
        let (p50, p95, found) = indexed(&db, q).await?;
        let (s50, _) = scan(&db, q).await?;
        println!("| {label} | {n} | {fill_s:.0} s | {what} `{q}` | {found} | {p50:.1} ms | {p95:.1} ms | {s50:.0} ms | {:.0}× |", s50 / p50.max(0.001));
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let urls: Vec<String> = args.collect();
    println!("| database | contacts | fill | query | found | indexed median | indexed p95 | LIKE scan median | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let servers: Vec<Option<&str>> = if urls.is_empty() { vec![None] } else { urls.iter().map(|u| Some(u.as_str())).collect() };
    for server in servers {
        let scratch = Scratch::create("search_bench", server).await?;
        let result = run(&scratch.url, n).await;
        scratch.drop_now().await?;
        result?;
    }
    Ok(())
}
