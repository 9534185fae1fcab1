//! Test harness: the whole server, started with `Application::builder` as the binary starts it
//! (background tasks off: tests drive those passes themselves), on a random loopback port, on a
//! fresh SQLite file or a fresh PostgreSQL database per test. Dropping a `TestApp` shuts its
//! server down the way SIGTERM does.
#![allow(dead_code)]

pub mod fake_stripe;
pub mod fake_twilio;

use std::collections::HashMap;
use std::net::SocketAddr;
use warmline::config::Config;
use warmline_server::{AppState, Application};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
    /// Shuts the server down when sent (or dropped).
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Runs a test body against both backends: `both!(name);` needs `async fn name(app: TestApp)`.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::spawn($crate::common::Backend::Sqlite).await.expect("sqlite app");
                super::$name(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::common::spawn($crate::common::Backend::Postgres).await {
                    Some(app) => super::$name(app).await,
                    None => eprintln!("skipped: PostgreSQL disabled with WARMLINE_SKIP_POSTGRES=1"),
                }
            }
        }
    )+};
}

pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, Some(q))).unwrap_or((url, None));
    let prefix = match base.rfind('/') {
        Some(i) if base[..i].ends_with('/') => base.to_string() + "/",
        Some(i) => base[..=i].to_string(),
        None => format!("{base}/"),
    };
    match query {
        Some(q) => format!("{prefix}{db}?{q}"),
        None => format!("{prefix}{db}"),
    }
}

/// What test apps believe their public URL is (webhook signatures are computed on it).
pub const PUBLIC_URL: &str = "http://127.0.0.1:3000";
/// The key test apps seal lead details with.
pub const LEAD_KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// The Stripe webhook signing secret test apps verify with.
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_test_0123456789";
/// The Twilio auth token test apps validate webhook signatures with.
pub const AUTH_TOKEN: &str = "test-auth-token-0123456789";

/// Settings for a test app; `extra` overrides the defaults.
pub fn config(database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut m: HashMap<String, String> = HashMap::new();
    m.insert("DATABASE_URL".into(), database_url.into());
    m.insert("WARMLINE_ADDR".into(), "127.0.0.1:0".into());
    m.insert("PUBLIC_URL".into(), PUBLIC_URL.into());
    m.insert("TWILIO_AUTH_TOKEN".into(), AUTH_TOKEN.into());
    m.insert("LEAD_SECRET_KEY".into(), LEAD_KEY.into());
    m.insert("STRIPE_WEBHOOK_SECRET".into(), STRIPE_WEBHOOK_SECRET.into());
    for (k, v) in extra {
        m.insert(k.to_string(), v.to_string());
    }
    Config::from_lookup(|k| m.get(k).cloned()).expect("test config")
}

pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, &[]).await
}

pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
    let (url, dir, pg) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite:{}", dir.path().join("test.db").display());
            (url, Some(dir), None)
        }
        Backend::Postgres => {
            if std::env::var("WARMLINE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
                return None;
            }
            let admin = pg_admin_url();
            let name = format!("warmline_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at TEST_DATABASE_URL is unreachable ({e}); set WARMLINE_SKIP_POSTGRES=1 to skip"));
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE \"{name}\"").as_str()).await.expect("create test database");
            (with_database(&admin, &name), None, Some((admin, name)))
        }
    };
    let (state, addr, stop) = serve(&url, extra).await;
    Some(TestApp { addr, base: format!("http://{addr}"), state, backend, _dir: dir, pg, _stop: stop })
}

/// The URL of `app`'s database, for another server on it.
pub fn database_url(app: &TestApp) -> String {
    match &app.pg {
        Some((admin, name)) => with_database(admin, name),
        None => app.state.config.database_url.clone(),
    }
}

/// A second instance on the same database as `app` (it does not own the database).
pub async fn another_instance(app: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    let url = database_url(app);
    let (state, addr, stop) = serve(&url, extra).await;
    TestApp { addr, base: format!("http://{addr}"), state, backend: app.backend, _dir: None, pg: None, _stop: stop }
}

async fn serve(url: &str, extra: &[(&str, &str)]) -> (AppState, SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let app = Application::builder(config(url, extra)).background_tasks(false).build().await.expect("build app");
    let (state, addr) = (app.state().clone(), app.addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        app.run_until(async move {
            let _ = stopped.await;
        })
        .await
        .expect("serve");
    });
    (state, addr, stop)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            let db = self.state.db.clone();
            // Drop the per-test database on a side thread: Drop can't await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async move {
                    db.close().await;
                    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
                        let _ = sqlx::Executor::execute(&mut conn, format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await;
                    }
                });
            })
            .join();
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that keeps cookies and does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
    }

    /// Like `client`, sending from another loopback address.
    pub fn client_from(&self, ip: [u8; 4]) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::from(ip))
            .build()
            .expect("client")
    }

    /// Calls a server function with form-encoded arguments.
    pub async fn server_fn<S: leptos::server_fn::ServerFn>(&self, client: &reqwest::Client, form: &[(&str, &str)]) -> reqwest::Response {
        client.post(self.url(S::PATH)).form(form).send().await.expect("server fn request")
    }

    /// Creates the first admin through the setup server function; returns a signed-in client.
    pub async fn setup_admin(&self, email: &str, password: &str) -> reqwest::Client {
        let client = self.client();
        let resp = self
            .server_fn::<warmline_app::api::auth::SetupAdmin>(
                &client,
                &[("email", email), ("password", password), ("confirm", password), ("business_name", "Warmline Roofing"), ("timezone", "America/New_York")],
            )
            .await;
        assert!(resp.status().is_success() || resp.status().is_redirection(), "setup failed: {} {:?}", resp.status(), resp.text().await);
        client
    }

    /// Signs in through the login server function; returns the response.
    pub async fn login(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        self.server_fn::<warmline_app::api::auth::Login>(client, &[("email", email), ("password", password)]).await
    }

    /// Creates an API key directly in storage and returns its secret.
    pub async fn api_key(&self) -> String {
        warmline::store::api_keys::create(&self.state.db, "test", None).await.expect("api key").1
    }

    /// Posts a Twilio webhook signed as Twilio would sign it.
    pub async fn twilio_webhook(&self, path: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let owned: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let signature = warmline::sms::twilio_signature::compute(AUTH_TOKEN, &format!("{PUBLIC_URL}{path}"), &owned);
        self.client().post(self.url(path)).header("X-Twilio-Signature", signature).form(params).send().await.expect("webhook")
    }

    /// A contact in a zone where it is midday now (so quiet hours never defer test sends).
    pub async fn sendable_contact(&self, phone: &str) -> warmline::ContactId {
        let new = warmline::contact::NewContact { phone: phone.into(), first_name: Some("Test".into()), timezone: Some(midday_zone()), ..Default::default() };
        warmline::store::contacts::create(&self.state.db, &new, self.state.config.default_region).await.expect("contact").id
    }

    pub async fn messages(&self, contact: warmline::ContactId) -> Vec<warmline::message::Message> {
        warmline::store::messages::for_contact(&self.state.db, contact, 100).await.expect("messages")
    }

    pub async fn contact_count(&self) -> i64 {
        warmline::store::contacts::count(&self.state.db).await.expect("count")
    }
}

/// An IANA zone where it is about midday right now, so the send gate's quiet hours never
/// defer a test message, whatever time the tests run.
pub fn midday_zone() -> String {
    use chrono::Timelike;
    let offset = 12 - chrono::Utc::now().hour() as i32; // -11 ..= 12
    // Etc/GMT zones have inverted signs: Etc/GMT-5 is UTC+5.
    if offset >= 0 {
        format!("Etc/GMT-{offset}")
    } else {
        format!("Etc/GMT+{}", -offset)
    }
}

/// Waits (bounded) until `check` holds, polling; panics with `what` if it never does.
pub async fn eventually<F, Fut>(what: &str, check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    eventually_within(what, std::time::Duration::from_secs(10), check).await
}

/// [`eventually`] with a longer bound, for work that takes a while (real server processes).
pub async fn eventually_within<F, Fut>(what: &str, within: std::time::Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + within;
    while std::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[test]
fn database_name_is_swapped_in_urls() {
    assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"), "postgres://postgres@127.0.0.1:5432/t1");
    assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "t1"), "postgres://u:p@h/t1?sslmode=disable");
}
