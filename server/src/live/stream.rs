//! One live stream on the lean path: the request head, the session, then server-sent events
//! in HTTP/1.1 chunks until the client leaves, the session ends or the server stops.

use super::LiveChannel;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::broadcast::error::RecvError;
use tracing::Instrument;

/// The largest request head accepted (browsers send well under 4 kB, cookies included; a
/// refusal is final for `EventSource`, so the limit is generous).
const MAX_HEAD: usize = 64 * 1024;
/// How long the client may take to send its request head.
const HEAD_WAIT: Duration = Duration::from_secs(10);
/// A comment line this often keeps proxies from closing an idle stream (as the axum route).
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long one write may wait on a client that does not read.
const WRITE_WAIT: Duration = Duration::from_secs(30);

const RESYNC: &str = "event: resync\ndata: {}\n\n";

/// What the request head says.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    /// The session cookie's value.
    token: Option<String>,
    /// HTTP/1.0 has no chunked encoding: the body then ends when the connection closes.
    chunked: bool,
}

#[derive(Debug, thiserror::Error)]
enum HeadError {
    #[error("the request head is larger than {MAX_HEAD} bytes")]
    TooLarge,
    #[error("malformed request: {0}")]
    Malformed(httparse::Error),
    #[error("the connection closed before the request head ended")]
    Closed,
    #[error("no request head within {HEAD_WAIT:?}")]
    Slow,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl LiveChannel {
    /// Serves one live stream on a connection whose first bytes are `GET /app/events`.
    pub(super) async fn serve(self, tcp: TcpStream, peer: SocketAddr) {
        // At debug, as tower-http's request spans: an enabled span lives as long as the stream,
        // in the subscriber's registry.
        let span = tracing::debug_span!("live_stream", %peer, path = "lean");
        self.serve_inner(tcp).instrument(span).await
    }

    async fn serve_inner(self, mut tcp: TcpStream) {
        // Each event is one small write that should leave at once (hyper's connections get
        // TCP_NODELAY in `startup`).
        let _ = tcp.set_nodelay(true);
        // Boxed: the head and the session lookup (sqlx's query future is large) live only
        // until the stream starts; inline, they would set the size of every idle stream's task
        // (17 kB each instead of 1.4 kB).
        let Some(head) = Box::pin(self.admit(&mut tcp)).await else { return };
        let mut events = self.events.subscribe();
        let ended = {
            let sessions = self.sessions.clone();
            let token = head.token.clone();
            async move {
                match token {
                    Some(t) => sessions.ended(t).await,
                    None => std::future::pending().await,
                }
            }
        };
        tokio::pin!(ended);
        let mut stop = self.stop.clone();
        let mut keep_alive = tokio::time::interval_at(tokio::time::Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
        // After a write that waited on a slow client, one keep-alive, not the ticks it missed.
        keep_alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut out = Frames { chunked: head.chunked, buf: Vec::new() };
        // `connection: close`: this connection serves the stream and nothing after it.
        let encoding = if head.chunked { "transfer-encoding: chunked\r\n" } else { "" };
        let start = format!("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nx-accel-buffering: no\r\nconnection: close\r\n{encoding}\r\n");
        out.buf.extend_from_slice(start.as_bytes());
        // The first event of every stream: the page loads everything (as after a reconnect).
        out.push(RESYNC);
        if out.flush(&mut tcp).await.is_err() {
            return;
        }
        tracing::debug!("live stream open");
        let (mut from_client, mut to_client) = tcp.split();
        let mut ignored = [0u8; 64];
        loop {
            tokio::select! {
                ev = events.recv() => match ev {
                    Ok(ev) => out.push(&format!("event: change\ndata: {}\n\n", serde_json::to_string(&ev).unwrap_or_default())),
                    // A slow client missed events: it refetches everything.
                    Err(RecvError::Lagged(_)) => out.push(RESYNC),
                    Err(RecvError::Closed) => break,
                },
                _ = keep_alive.tick() => out.push(":\n\n"),
                _ = &mut ended => break,
                _ = stop.wait_for(|stopping| *stopping) => break,
                // Anything the client sends is ignored; end of input means it left.
                read = from_client.read(&mut ignored) => match read {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                },
            }
            if out.flush(&mut to_client).await.is_err() {
                return;
            }
        }
        // The end of the body, so the client sees a clean end and reconnects when it wants.
        if head.chunked {
            out.buf.extend_from_slice(b"0\r\n\r\n");
            let _ = out.flush(&mut to_client).await;
        }
        let _ = to_client.shutdown().await;
        tracing::debug!("live stream closed");
    }

    /// Reads the head and checks the session; `None` once the refusal was answered.
    async fn admit(&self, tcp: &mut TcpStream) -> Option<Head> {
        let head = match tokio::time::timeout(HEAD_WAIT, read_head(tcp)).await.unwrap_or(Err(HeadError::Slow)) {
            Ok(head) => head,
            Err(e) => {
                tracing::debug!(error = %e, "live stream refused");
                if matches!(e, HeadError::TooLarge | HeadError::Malformed(_)) {
                    let _ = reply(tcp, "400 Bad Request").await;
                }
                return None;
            }
        };
        if *self.stop.borrow() {
            // The server is stopping (its database may be closed already): an empty stream,
            // which `EventSource` reconnects after, where a refusal would be final.
            // (`EventSource` also needs the content type, or it gives up.)
            let _ = tcp.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
            let _ = tcp.shutdown().await;
            return None;
        }
        // The same rule as the axum route: a signed-in session, or 401.
        let signed_in = match &head.token {
            Some(token) => warmline::store::sessions::user_for(&self.db, token).await.map(|u| u.is_some()),
            None => Ok(false),
        };
        match signed_in {
            Ok(true) => Some(head),
            Ok(false) => {
                let _ = reply(tcp, "401 Unauthorized").await;
                None
            }
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                let _ = reply(tcp, "503 Service Unavailable").await;
                None
            }
        }
    }
}

/// The bytes waiting to be written: events as HTTP/1.1 chunks (or plain, for HTTP/1.0).
struct Frames {
    chunked: bool,
    buf: Vec<u8>,
}

impl Frames {
    fn push(&mut self, frame: &str) {
        if self.chunked {
            self.buf.extend_from_slice(format!("{:x}\r\n", frame.len()).as_bytes());
            self.buf.extend_from_slice(frame.as_bytes());
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.buf.extend_from_slice(frame.as_bytes());
        }
    }

    /// Writes what is waiting, then gives the buffer's memory back (an idle stream keeps none).
    async fn flush<W: tokio::io::AsyncWrite + Unpin>(&mut self, w: &mut W) -> std::io::Result<()> {
        let r = match tokio::time::timeout(WRITE_WAIT, w.write_all(&self.buf)).await {
            Ok(r) => r,
            Err(_) => Err(std::io::ErrorKind::TimedOut.into()),
        };
        self.buf = Vec::new();
        r
    }
}

/// A response without a body, and the connection closes.
async fn reply(tcp: &mut TcpStream, status: &str) -> std::io::Result<()> {
    tcp.write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes()).await?;
    tcp.shutdown().await
}

/// Reads the request head (up to the blank line) and parses it; the buffer is dropped here.
async fn read_head(tcp: &mut TcpStream) -> Result<Head, HeadError> {
    let mut buf = Vec::with_capacity(1024);
    loop {
        let mut chunk = [0u8; 1024];
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Err(HeadError::Closed);
        }
        // Parsed once the blank line that ends the head has arrived (searched in the new bytes
        // only), not after every read.
        let from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if buf[from..].windows(4).any(|w| w == b"\r\n\r\n") {
            if let Some(head) = parse_head(&buf)? {
                return Ok(head);
            }
        }
        if buf.len() > MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
    }
}

/// `None` until the head is complete.
fn parse_head(buf: &[u8]) -> Result<Option<Head>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; 100];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf).map_err(HeadError::Malformed)? {
        httparse::Status::Partial => Ok(None),
        httparse::Status::Complete(_) => {
            let mut map = http::HeaderMap::new();
            for h in req.headers.iter() {
                if h.name.eq_ignore_ascii_case("cookie") {
                    if let Ok(v) = http::HeaderValue::from_bytes(h.value) {
                        map.append(http::header::COOKIE, v);
                    }
                }
            }
            Ok(Some(Head { token: warmline_app::session_token_from_headers(&map), chunked: req.version != Some(0) }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_session_cookie_from_the_head() {
        let head = parse_head(b"GET /app/events HTTP/1.1\r\nHost: x\r\nCookie: a=1; warmline_session=abc\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        assert_eq!(head, Some(Head { token: Some("abc".into()), chunked: true }));
        let head = parse_head(b"GET /app/events HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!(head, Some(Head { token: None, chunked: false }));
        // Not complete yet.
        assert_eq!(parse_head(b"GET /app/events HTTP/1.1\r\nHost: x\r\n").unwrap(), None);
        assert!(matches!(parse_head(b"GET /app/events HTTP/1.1\r\nBad Header\r\n\r\n"), Err(HeadError::Malformed(_))));
    }

    #[test]
    fn frames_events_as_chunks() {
        let mut f = Frames { chunked: true, buf: Vec::new() };
        f.push(RESYNC);
        assert_eq!(f.buf, format!("{:x}\r\n{RESYNC}\r\n", RESYNC.len()).into_bytes());
        let mut f = Frames { chunked: false, buf: Vec::new() };
        f.push(":\n\n");
        assert_eq!(f.buf, b":\n\n");
    }
}
