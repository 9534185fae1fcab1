//! Test harness: the real router on a random loopback port, on a fresh SQLite file or a
//! fresh PostgreSQL database per test.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use warmline::config::Config;
use warmline_server::{app, build_router, AppState};

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

/// Settings for a test app; `extra` overrides the defaults.
pub fn config(database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut m: HashMap<String, String> = HashMap::new();
    m.insert("DATABASE_URL".into(), database_url.into());
    m.insert("WARMLINE_ADDR".into(), "127.0.0.1:0".into());
    m.insert("PUBLIC_URL".into(), "http://127.0.0.1:3000".into());
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
    let state = app::prepare(config(&url, extra)).await.expect("prepare app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = build_router(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    Some(TestApp { addr, base: format!("http://{addr}"), state, backend, _dir: dir, pg })
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
            .server_fn::<warmline_app::api::auth::SetupAdmin>(&client, &[("email", email), ("password", password), ("confirm", password)])
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

    pub async fn contact_count(&self) -> i64 {
        warmline::store::contacts::count(&self.state.db).await.expect("count")
    }
}

#[test]
fn database_name_is_swapped_in_urls() {
    assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"), "postgres://postgres@127.0.0.1:5432/t1");
    assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "t1"), "postgres://u:p@h/t1?sslmode=disable");
}
