//! What the benchmarks against the real `warmline` binary share: the server as a child
//! process on loopback, a signed-in client, percentiles.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "bench-twilio-auth-token";
pub const PUBLIC_URL: &str = "https://warmline.bench.invalid";

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The release binary: `BENCH_SERVER_BIN`, default `target/release/warmline`.
pub fn server_bin() -> Result<PathBuf, BoxError> {
    let bin = PathBuf::from(std::env::var("BENCH_SERVER_BIN").unwrap_or_else(|_| "target/release/warmline".into()));
    Ok(std::fs::canonicalize(&bin).map_err(|e| format!("{}: {e} (build it: cargo build --release -p warmline-server --bin warmline)", bin.display()))?)
}

/// A `warmline serve` child process; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(bin: &Path, db_url: &str, dir: &Path) -> Result<Server, BoxError> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(bin)
            .arg("serve")
            .current_dir(dir)
            .env("DATABASE_URL", db_url)
            .env("WARMLINE_ADDR", format!("127.0.0.1:{port}"))
            .env("PUBLIC_URL", PUBLIC_URL)
            .env("SMS_PROVIDER", "simulator")
            .env("TWILIO_AUTH_TOKEN", TOKEN)
            .env("LEAD_SECRET_KEY", "7".repeat(64))
            .env("LEPTOS_OUTPUT_NAME", "warmline")
            // The browser bundle, for benchmarks that load pages in Chromium.
            .env("LEPTOS_SITE_ROOT", std::fs::canonicalize("target/site").unwrap_or_else(|_| "target/site".into()))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e} (build it: cargo build --release -p warmline-server --bin warmline)", bin.display()))?;
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if client.get(server.url("/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err("the server did not answer /healthz within 60 s".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Resident memory in bytes (`VmRSS` in `/proc/<pid>/status`).
    pub fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client that keeps the session cookie (it applies to every server on 127.0.0.1).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).pool_max_idle_per_host(64).build().expect("client")
}

/// Creates the first admin through the setup server function, which signs `client` in.
pub const EMAIL: &str = "bench@warmline.test";
pub const PASSWORD: &str = "bench-password-1";

pub async fn sign_in(server: &Server, client: &reqwest::Client) -> Result<(), BoxError> {
    use leptos::server_fn::ServerFn;
    let form = [("email", EMAIL), ("password", PASSWORD), ("confirm", PASSWORD), ("business_name", "Bench"), ("timezone", "America/New_York")];
    let resp = client.post(server.url(warmline_app::api::auth::SetupAdmin::PATH)).form(&form).send().await?;
    if !(resp.status().is_success() || resp.status().is_redirection()) {
        return Err(format!("setup failed: {}", resp.status()).into());
    }
    Ok(())
}

/// Signs in without a cookie store and returns the session cookie (`warmline_session=…`), for
/// clients that write their own requests.
pub async fn session_cookie(server: &Server) -> Result<String, BoxError> {
    use leptos::server_fn::ServerFn;
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let resp = plain.post(server.url(warmline_app::api::auth::Login::PATH)).form(&[("email", EMAIL), ("password", PASSWORD)]).send().await?;
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{}=", warmline_app::state::SESSION_COOKIE)))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| "signing in gave no session cookie".into())
}

/// The `p` quantile of sorted durations, in ms.
pub fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}
