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
}

impl MockConfig {
    /// The default request body limit: 1 MiB, far above any real key set request.
    pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
    /// The default delay of [`Deviation::Slow`]: long enough to trip a typical client
    /// timeout in a test, short enough not to stall a suite.
    pub const DEFAULT_SLOW_DELAY: Duration = Duration::from_millis(2500);
    /// The default server-side page size, Graph's usual one.
    pub const DEFAULT_PAGE_SIZE: usize = 100;

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
        }
    }
}
