//! How a reference mock behaves: the knobs the command line and the runner can turn. The
//! defaults are the faithful service: authentication required, no added delay, no
//! deliberate deviation.

use std::time::Duration;

use super::Deviation;

/// Settings for one mock server. Build it with struct-update syntax over
/// [`MockConfig::default`] so new fields do not break callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockConfig {
    /// Require `Authorization: Bearer <token>` with a non-empty token on every request, as
    /// Graph does. The token itself is never checked.
    pub auth: bool,
    /// A fixed delay added to every response, successful or not, to stand in for network
    /// and service time in latency-bound benchmarks.
    pub latency: Duration,
    /// The ways in which the mock breaks the documented contract on purpose; empty for a
    /// faithful mock. See [`Deviation`].
    pub deviations: Vec<Deviation>,
    /// The largest request body accepted, in bytes; a larger one is answered with `413`.
    pub body_limit: usize,
    /// How long [`Deviation::Slow`] holds each successful response.
    pub slow_delay: Duration,
    /// How many items a collection answer holds when the client does not ask with `$top`;
    /// the rest are behind `@odata.nextLink`.
    pub page_size: usize,
    /// How long a client may take to send a request head, counted from its first byte; the
    /// connection is closed after that, however slowly bytes still trickle in.
    pub header_timeout: Duration,
    /// How long a client may take to send a request body; then `408` and the connection
    /// is closed.
    pub body_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests before it is closed.
    pub idle_timeout: Duration,
    /// The most connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// The most header fields a request may have; more is a `431`.
    pub max_headers: usize,
    /// The most key sets the mock holds; another create is a `507`.
    pub max_key_sets: usize,
    /// The most keys one key set holds; more is a `507`.
    pub max_keys_per_set: usize,
    /// The most bytes of key material (ids, kids, key members, certificates) the mock
    /// holds in all; a change that would store more is a `507`.
    pub max_stored_bytes: usize,
    /// How many RSA key pairs are made ahead of time for `generateKey` (0: none).
    pub rsa_pool: usize,
}

impl MockConfig {
    /// The default request body limit: 1 MiB, far above any real key set request.
    pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
    /// The default delay of [`Deviation::Slow`]: long enough to trip a typical client
    /// timeout in a test, short enough not to stall a suite.
    pub const DEFAULT_SLOW_DELAY: Duration = Duration::from_millis(2500);
    /// The default server-side page size, Graph's usual one.
    pub const DEFAULT_PAGE_SIZE: usize = 100;
    /// Defaults a well-behaved client never reaches: seconds where it needs milliseconds.
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
    pub const DEFAULT_MAX_HEADERS: usize = 64;
    /// Storage bounds far above any test run or benchmark (those hold tens of key sets at a
    /// time), low enough that a runaway client cannot exhaust the machine.
    pub const DEFAULT_MAX_KEY_SETS: usize = 100_000;
    pub const DEFAULT_MAX_KEYS_PER_SET: usize = 200;
    pub const DEFAULT_MAX_STORED_BYTES: usize = 256 * 1024 * 1024;
    /// No pool by default: the mock embedded in a run, or in a test, makes the few pairs it
    /// needs on request and spends no CPU on pairs it would never hand out.
    pub const DEFAULT_RSA_POOL: usize = 0;
    /// What `exemplar serve` keeps ready: enough for a burst of 20 `generateKey` requests.
    pub const SERVE_RSA_POOL: usize = 20;

    /// Whether `deviation` is switched on.
    pub fn deviates(&self, deviation: Deviation) -> bool {
        self.deviations.contains(&deviation)
    }
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            auth: true,
            latency: Duration::ZERO,
            deviations: Vec::new(),
            body_limit: Self::DEFAULT_BODY_LIMIT,
            slow_delay: Self::DEFAULT_SLOW_DELAY,
            page_size: Self::DEFAULT_PAGE_SIZE,
            header_timeout: Self::DEFAULT_HEADER_TIMEOUT,
            body_timeout: Self::DEFAULT_BODY_TIMEOUT,
            idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            max_headers: Self::DEFAULT_MAX_HEADERS,
            max_key_sets: Self::DEFAULT_MAX_KEY_SETS,
            max_keys_per_set: Self::DEFAULT_MAX_KEYS_PER_SET,
            max_stored_bytes: Self::DEFAULT_MAX_STORED_BYTES,
            rsa_pool: Self::DEFAULT_RSA_POOL,
        }
    }
}
