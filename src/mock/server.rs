//! Running the mock: on an ephemeral loopback port inside the caller's runtime (for the
//! runner and tests), or on a given listener until Ctrl-C or SIGTERM (for `exemplar serve`).
//!
//! The accept loop is hyper's HTTP/1.1 server with the connection hygiene a long-lived
//! mock needs against clients that misbehave: at most `max_connections` connections at
//! once (the rest wait in the kernel's backlog), a connection that starts a request head
//! and does not finish it within `header_timeout` is closed (however slowly it trickles), a
//! keep-alive connection idle for `idle_timeout` is closed, and a request body that does not
//! arrive within `body_timeout` is answered `408` (see `body.rs`). hyper's own head limits
//! are raised above the mock's `max_headers`, so the mock, not hyper, answers too many
//! headers, with `request-id` and the envelope (see `render.rs`); what hyper still refuses
//! by itself (a malformed request line, a head over its size limit) is given the same shape
//! on its way out (see [`Watched`]).

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tower::ServiceExt;

use axum::http::StatusCode;

use super::{AppState, MockConfig, app, render};

/// A mock running in the background on `127.0.0.1`.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    state: AppState,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl MockServer {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the base URL to point a client at.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's shared state (configuration, store, key pool).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for the
    /// server task to end.
    pub async fn shutdown(self) {
        // The receiver is gone only if the server already stopped; either way it is done.
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Starts a mock on a free port of `127.0.0.1`, on the current tokio runtime. Its RSA key
/// pool fills from the first RSA `generateKey` on (or at once after
/// `server.state().keys.start()`). Dropping the returned server stops it too.
pub async fn spawn(config: MockConfig) -> io::Result<MockServer> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(config);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve_state(listener, state.clone(), async {
        // A dropped sender counts as a request to stop.
        let _ = stopped.await;
    }));
    Ok(MockServer { addr, state, stop, task })
}

/// Serves the mock on `listener` until `shutdown` completes, then finishes the requests in
/// flight.
pub async fn serve(
    listener: TcpListener,
    config: MockConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_state(listener, AppState::new(config), shutdown).await
}

/// [`serve`] with a state the caller already holds (to watch its key pool, say).
pub async fn serve_state(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let config = state.config.clone();
    let router = app(state);
    let limit = config.max_connections.max(1);
    let permits = Arc::new(Semaphore::new(limit));
    let (stopping, stop_seen) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    if !is_per_connection(&error) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let config = config.clone();
        let stop_seen = stop_seen.clone();
        tokio::spawn(async move {
            connection(stream, router, &config, stop_seen).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    // Every connection gives its permit back when it ends.
    let _ = permits.acquire_many(u32::try_from(limit).unwrap_or(u32::MAX)).await;
    Ok(())
}

fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// How far above the mock's own header limit hyper's is set: between the two the mock
/// answers with its envelope; beyond, hyper refuses on its own (and [`Watched`] gives that
/// answer the envelope too).
const HYPER_HEADER_HEADROOM: usize = 36;

/// hyper's header limit when none is set. Up to this many fields it parses a head into
/// arrays on the stack; any limit set above it makes hyper allocate and fill two arrays of
/// that many slots for every request (with 500 slots, about a tenth of the mock's CPU per
/// request), so the default `max_headers` plus the headroom stays within it.
const HYPER_DEFAULT_MAX_HEADERS: usize = 100;

/// Serves one connection until it ends, times out, or the server stops.
async fn connection(
    stream: TcpStream,
    router: Router,
    config: &MockConfig,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched::new(stream, activity.clone()));
    let service_activity = activity.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let guard = InFlight::begin(service_activity.clone());
        let router = router.clone();
        async move {
            let response = router.oneshot(request.map(Body::new)).await;
            drop(guard);
            response
        }
    });
    let mut builder = http1::Builder::new();
    builder.header_read_timeout(None);
    let hyper_limit = config.max_headers.saturating_add(HYPER_HEADER_HEADROOM);
    if hyper_limit > HYPER_DEFAULT_MAX_HEADERS {
        builder.max_headers(hyper_limit);
    }
    let conn = builder.serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    let watchdog = watchdog(&activity, config.header_timeout, config.idle_timeout);
    let mut watchdog = std::pin::pin!(watchdog);
    let mut stopped = false;
    loop {
        tokio::select! {
            // A client that vanishes mid-request is its own business.
            _ = conn.as_mut() => return,
            // Timed out: dropping the connection closes the socket.
            () = watchdog.as_mut() => return,
            changed = stopping.changed(), if !stopped => {
                if changed.is_err() || *stopping.borrow() {
                    // Finish the request in flight, then close; the watchdog still
                    // bounds a client that never finishes.
                    conn.as_mut().graceful_shutdown();
                    stopped = true;
                }
            }
        }
    }
}

/// What the watchdog needs to know about a connection, kept in atomics so that the request
/// path only stores a few numbers: no lock, no wake-up, no timer per request. Times are
/// nanoseconds since the connection's `epoch`.
#[derive(Debug)]
struct Activity {
    epoch: Instant,
    /// Requests handed to the router and not yet answered.
    in_flight: AtomicUsize,
    /// When the first byte of a request head arrived, while it is being read (plus one, so
    /// that zero means no head is being read).
    head_started: AtomicU64,
    /// When the connection last had anything to do.
    idle_since: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            epoch: Instant::now(),
            in_flight: AtomicUsize::new(0),
            head_started: AtomicU64::new(0),
            idle_since: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX - 1)
    }

    fn at(&self, nanos: u64) -> Instant {
        self.epoch + Duration::from_nanos(nanos)
    }

    fn bytes_read(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0
            && self.head_started.load(Ordering::Acquire) == 0
        {
            self.head_started.store(self.now() + 1, Ordering::Release);
        }
    }

    fn bytes_written(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0 {
            self.idle_since.store(self.now(), Ordering::Release);
        }
    }

    /// The deadline the connection is held to now: the end of its header timeout while a
    /// head is being read, of its idle timeout between requests, none while answering.
    fn deadline(&self, header_timeout: Duration, idle_timeout: Duration) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        match self.head_started.load(Ordering::Acquire) {
            0 => Some(self.at(self.idle_since.load(Ordering::Acquire)) + idle_timeout),
            started => Some(self.at(started - 1) + header_timeout),
        }
    }
}

/// Counts a request as in flight for as long as it lives, even if it is dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(activity: Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        activity.head_started.store(0, Ordering::Release);
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        activity.idle_since.store(activity.now(), Ordering::Release);
        activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Completes when the connection has been reading one request head for `header_timeout`,
/// or has been idle between requests for `idle_timeout`. A request being answered (or its
/// body being read, which `body_timeout` bounds) is never timed out here.
///
/// The timer is not moved on every request: it sleeps until the current deadline, or at
/// most the shorter timeout from now, and then looks again. Any deadline that arises while
/// it sleeps (a head that starts, a connection that falls idle) starts from a later moment,
/// so it ends no sooner than that wake-up: a connection is closed on time, and a busy one
/// costs one timer event per timeout period instead of several per request.
async fn watchdog(activity: &Activity, header_timeout: Duration, idle_timeout: Duration) {
    let longest_sleep = header_timeout.min(idle_timeout);
    let sleep = tokio::time::sleep(longest_sleep);
    let mut sleep = std::pin::pin!(sleep);
    loop {
        let now = Instant::now();
        let deadline = activity.deadline(header_timeout, idle_timeout);
        if deadline.is_some_and(|d| d <= now) {
            return;
        }
        let wake = deadline.map_or(now + longest_sleep, |d| d.min(now + longest_sleep));
        sleep.as_mut().reset(wake);
        sleep.as_mut().await;
    }
}

/// A socket that tells the watchdog when bytes pass, and that puts Graph's shape on the
/// few answers hyper writes by itself.
///
/// hyper answers a request it cannot parse (a malformed request line, a head over its
/// limits) with a bare status line before the mock sees the request. Every answer the mock
/// writes carries `request-id`; a head without one is hyper's, and is replaced here by the
/// same status with `request-id` and the error envelope (see `render::protocol_rejection`).
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
    /// A replacement answer being written, and how much of it is written.
    replacement: Option<(Vec<u8>, usize)>,
}

impl Watched {
    fn new(inner: TcpStream, activity: Arc<Activity>) -> Self {
        Self { inner, activity, replacement: None }
    }
}

/// The status of an answer hyper wrote by itself, if `buf` is one.
fn bare_rejection(buf: &[u8]) -> Option<StatusCode> {
    let rest = buf.strip_prefix(b"HTTP/1.1 ").or_else(|| buf.strip_prefix(b"HTTP/1.0 "))?;
    let code = std::str::from_utf8(rest.get(..3)?).ok()?.parse::<u16>().ok()?;
    let status = StatusCode::from_u16(code).ok()?;
    if !(status.is_client_error() || status.is_server_error()) {
        return None;
    }
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = &buf[..head_end];
    let ours = head.windows(13).any(|w| w.eq_ignore_ascii_case(b"\r\nrequest-id:"));
    (!ours).then_some(status)
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_read();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.replacement.is_none() {
            if let Some(status) = bare_rejection(buf) {
                self.replacement = Some((render::protocol_rejection(status), 0));
            }
        }
        let this = &mut *self;
        if let Some((bytes, written)) = &mut this.replacement {
            // hyper's bytes count as written once the replacement is.
            while *written < bytes.len() {
                match Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]) {
                    Poll::Ready(Ok(0)) => return Poll::Ready(Ok(0)),
                    Poll::Ready(Ok(n)) => *written += n,
                    other => return other,
                }
            }
            this.replacement = None;
            return Poll::Ready(Ok(buf.len()));
        }
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.bytes_written();
        }
        poll
    }

    /// One buffer per write, so that an answer's head always starts a write and
    /// `bare_rejection` sees it whole.
    fn is_write_vectored(&self) -> bool {
        false
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, only SIGTERM (or a kill) stops the server.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_error_heads_are_recognised() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(bare_rejection(bare), Some(StatusCode::BAD_REQUEST));
        let big = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(bare_rejection(big), Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
        let ours =
            b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nrequest-id: 1\r\n\r\n{}";
        assert_eq!(bare_rejection(ours), None);
        assert_eq!(bare_rejection(b"HTTP/1.1 200 OK\r\n\r\n"), None);
        assert_eq!(bare_rejection(b"{\"value\": []}"), None);
        assert_eq!(bare_rejection(b"HTTP/1.1 400 Bad"), None, "an incomplete head is left alone");
    }

    #[test]
    fn protocol_rejections_carry_request_id_and_the_envelope() {
        let text = String::from_utf8(render::protocol_rejection(StatusCode::BAD_REQUEST)).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(head.contains("\r\nrequest-id: ") && head.contains("connection: close"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let envelope: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(envelope["error"]["code"], "BadRequest");
    }
}
