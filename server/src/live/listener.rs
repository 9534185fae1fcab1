//! Accepts connections and sends each one to the live channel or to axum by its first bytes.

use super::LiveChannel;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The start of a live stream's request line; the next byte must be a space or `?`.
const LIVE_REQUEST: &[u8] = b"GET /app/events";
/// How long a new connection may stay silent before it goes to hyper anyway (which applies its
/// own limits).
const FIRST_BYTES_WAIT: Duration = Duration::from_secs(10);

/// An [`axum::serve::Listener`] that keeps live-stream connections for [`LiveChannel`].
///
/// It owns the TCP listener, so the port is free again as soon as axum stops serving and
/// drops it.
pub struct SniffingListener {
    tcp: TcpListener,
    live: LiveChannel,
    /// Connections whose first bytes were read, on their way to axum.
    others: mpsc::Receiver<(TcpStream, SocketAddr)>,
    to_others: mpsc::Sender<(TcpStream, SocketAddr)>,
}

impl SniffingListener {
    pub fn new(tcp: TcpListener, live: LiveChannel) -> SniffingListener {
        let (to_others, others) = mpsc::channel(256);
        SniffingListener { tcp, live, others, to_others }
    }
}

impl axum::serve::Listener for SniffingListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            tokio::select! {
                Some(conn) = self.others.recv() => return conn,
                accepted = self.tcp.accept() => match accepted {
                    // Its first bytes are awaited in a task of its own, so a client slow to
                    // send them never holds up the next connection.
                    Ok((tcp, peer)) => {
                        let (live, to_others) = (self.live.clone(), self.to_others.clone());
                        tokio::spawn(async move {
                            match first_bytes(&tcp).await {
                                FirstBytes::Live => live.serve(tcp, peer).await,
                                FirstBytes::Other => {
                                    let _ = to_others.send((tcp, peer)).await;
                                }
                                FirstBytes::Closed => {}
                            }
                        });
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: wait instead of spinning (as
                        // axum does).
                        tracing::error!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

#[derive(Debug, PartialEq, Eq)]
enum FirstBytes {
    Live,
    Other,
    Closed,
}

/// Peeks (without consuming) until the first bytes tell a live-stream request from the rest.
async fn first_bytes(tcp: &TcpStream) -> FirstBytes {
    let mut buf = [0u8; LIVE_REQUEST.len() + 1];
    let deadline = tokio::time::Instant::now() + FIRST_BYTES_WAIT;
    let mut pause = Duration::from_millis(2);
    loop {
        let n = match tokio::time::timeout_at(deadline, tcp.peek(&mut buf)).await {
            Err(_) => return FirstBytes::Other,
            Ok(Err(_) | Ok(0)) => return FirstBytes::Closed,
            Ok(Ok(n)) => n,
        };
        match classify(&buf[..n]) {
            Some(kind) => return kind,
            // A piece of the request line so far. Peeking does not consume, so the socket stays
            // readable: wait for the rest instead of spinning, longer each time (a client that
            // sends a byte and stalls costs a few wake-ups, not 500 a second).
            None => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return FirstBytes::Other;
        }
    }
}

/// `None` while `seen` is still the start of a live-stream request line.
fn classify(seen: &[u8]) -> Option<FirstBytes> {
    let n = seen.len().min(LIVE_REQUEST.len());
    if seen[..n] != LIVE_REQUEST[..n] {
        return Some(FirstBytes::Other);
    }
    match seen.get(LIVE_REQUEST.len()) {
        Some(b' ' | b'?') => Some(FirstBytes::Live),
        Some(_) => Some(FirstBytes::Other),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_live_requests_from_the_rest() {
        assert_eq!(classify(b"GET /app/events HTTP/1.1\r\n"), Some(FirstBytes::Live));
        assert_eq!(classify(b"GET /app/events?x=1 HTTP/1.1"), Some(FirstBytes::Live));
        assert_eq!(classify(b"GET /app/eventsource HTTP/1.1"), Some(FirstBytes::Other));
        assert_eq!(classify(b"GET / HTTP/1.1\r\n"), Some(FirstBytes::Other));
        assert_eq!(classify(b"POST /app/events HTTP/1.1"), Some(FirstBytes::Other));
        assert_eq!(classify(b"PRI * HTTP/2.0\r\n"), Some(FirstBytes::Other));
        // Not enough yet to tell.
        assert_eq!(classify(b"GET /app/ev"), None);
        assert_eq!(classify(b"GET /app/events"), None);
        assert_eq!(classify(b""), None);
    }
}
