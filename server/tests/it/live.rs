//! The live channel's lean path (`server/src/live`): a connection that opens with
//! `GET /app/events` is served beside hyper. Every stream here is opened on a new TCP
//! connection, so it takes that path; the messaging and auth tests cover streams on reused
//! connections (the axum route).

use crate::common::{self, TestApp};
use futures_util::StreamExt;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const FROM: &str = "+14155552688";
const EMAIL: &str = "admin@example.com";
const PASSWORD: &str = "correct horse battery";

both!(
    a_new_connection_streams_events_and_refuses_strangers,
    a_stream_on_a_new_connection_ends_with_its_session,
    streams_end_when_the_server_stops,
);

/// Sets up the admin and signs in without a cookie store; returns `warmline_session=…`.
async fn session_cookie(app: &TestApp) -> String {
    app.setup_admin(EMAIL, PASSWORD).await;
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = app.login(&plain, EMAIL, PASSWORD).await;
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{}=", warmline_app::state::SESSION_COOKIE)))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// Sends a request head on a new connection.
async fn open(addr: std::net::SocketAddr, cookie: Option<&str>) -> TcpStream {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    tcp.write_all(format!("GET /app/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n{cookie}\r\n").as_bytes()).await.unwrap();
    tcp
}

/// Reads until `seen` contains `wanted` (5 s at most); false when the connection closed first.
async fn read_until(tcp: &mut TcpStream, seen: &mut String, wanted: &str) -> bool {
    tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        while !seen.contains(wanted) {
            match tcp.read(&mut buf).await.unwrap() {
                0 => return false,
                n => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
        true
    })
    .await
    .unwrap_or_else(|_| panic!("waited for {wanted:?}; got {seen:?}"))
}

async fn a_new_connection_streams_events_and_refuses_strangers(app: TestApp) {
    let cookie = session_cookie(&app).await;

    // Without a session: 401, and the connection closes.
    let mut anon = open(app.addr, None).await;
    let mut seen = String::new();
    assert!(!read_until(&mut anon, &mut seen, "never sent").await, "the connection closes");
    assert!(seen.starts_with("HTTP/1.1 401"), "{seen:?}");
    let mut stale = open(app.addr, Some("warmline_session=not-a-session")).await;
    let mut seen = String::new();
    read_until(&mut stale, &mut seen, "\r\n\r\n").await;
    assert!(seen.starts_with("HTTP/1.1 401"), "{seen:?}");

    // With one: an event stream in HTTP/1.1 chunks, opening with `resync`.
    let mut tcp = open(app.addr, Some(&cookie)).await;
    let mut seen = String::new();
    assert!(read_until(&mut tcp, &mut seen, "event: resync").await);
    let (head, body) = seen.split_once("\r\n\r\n").expect("a response head");
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    let resync = "event: resync\ndata: {}\n\n";
    assert!(body.starts_with(&format!("{:x}\r\n{resync}\r\n", resync.len())), "{body:?}");

    // An inbound message reaches it as a `change` event naming the conversation.
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", "SMlean1"), ("From", FROM), ("To", "+14155550100"), ("Body", "Is this live?")]).await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let contact = warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse(FROM).unwrap()).await.unwrap().expect("the sender's contact").id;
    assert!(read_until(&mut tcp, &mut seen, &format!("\"contact_id\":{contact}")).await);
    assert!(seen.contains("event: change\ndata: {"), "{seen:?}");

    // A real HTTP client on a new connection (a new client has no idle one) decodes it too.
    let client = reqwest::Client::new();
    let resp = client.get(app.url("/app/events")).header(reqwest::header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    assert_eq!(resp.headers()[reqwest::header::CONTENT_TYPE], "text/event-stream");
    let mut body = resp.bytes_stream();
    let first = tokio::time::timeout(Duration::from_secs(5), body.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(&first[..], resync.as_bytes());
}

async fn a_stream_on_a_new_connection_ends_with_its_session(app: TestApp) {
    let cookie = session_cookie(&app).await;
    let mut tcp = open(app.addr, Some(&cookie)).await;
    let mut seen = String::new();
    assert!(read_until(&mut tcp, &mut seen, "event: resync").await);
    let token = cookie.split_once('=').unwrap().1;
    warmline::store::sessions::delete(&app.state.db, token).await.unwrap();
    // Sessions are checked every 5 s.
    read_to_end_within(&mut tcp, &mut seen, Duration::from_secs(20)).await;
}

/// Reads until the server closes the connection, which must come within `within` and after
/// the last chunk of the body.
async fn read_to_end_within(tcp: &mut TcpStream, seen: &mut String, within: Duration) {
    let ended = tokio::time::timeout(within, async {
        let mut buf = [0u8; 1024];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its session: {seen:?}");
    assert!(seen.ends_with("0\r\n\r\n"), "{seen:?}");
}

/// Streams on both paths end when the server stops, so its shutdown never waits on them.
async fn streams_end_when_the_server_stops(app: TestApp) {
    let cookie = session_cookie(&app).await;
    // A second server on the same database, to stop.
    let config = common::config(&common::database_url(&app), &[]);
    let server = warmline_server::Application::builder(config).background_tasks(false).build().await.expect("build");
    let addr = server.addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async move {
        let _ = stopped.await;
    }));
    let mut tcp = open(addr, Some(&cookie)).await;
    let mut seen = String::new();
    assert!(read_until(&mut tcp, &mut seen, "event: resync").await);
    // And one on the axum route: a connection that carried a request first.
    let mut reused = TcpStream::connect(addr).await.unwrap();
    reused
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\nGET /app/events HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut seen_reused = String::new();
    assert!(read_until(&mut reused, &mut seen_reused, "event: resync").await);
    stop.send(()).unwrap();
    read_to_end_within(&mut tcp, &mut seen, Duration::from_secs(30)).await;
    read_to_end_within(&mut reused, &mut seen_reused, Duration::from_secs(30)).await;
    tokio::time::timeout(Duration::from_secs(30), running).await.expect("stops").unwrap().expect("clean stop");
}
