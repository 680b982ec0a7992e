//! `exemplar serve`: runs the reference mock until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use super::Exit;
use crate::mock::{AppState, Deviation, MockConfig};

/// Serve the reference mock of the trustFramework keySets API.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, `HOST:PORT` (a host name such as `localhost` is resolved; port
    /// 0 picks a free port). The address in use is printed on stderr as
    /// `exemplar mock listening on http://ADDR`.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080", value_parser = bind_address)]
    pub bind: SocketAddr,

    /// Accept requests without an `Authorization: Bearer <token>` header.
    #[arg(long)]
    pub no_auth: bool,

    /// Add a fixed delay to every response, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,

    /// Break the documented contract on purpose, in one or more named ways (comma-separated
    /// or repeated). Successful answers of the documented operations are affected; errors
    /// are not, and fixture steps (create, generateKey/upload*, delete) keep their id, kid
    /// and success.
    #[arg(long, value_name = "KIND", value_delimiter = ',', value_parser = deviation_parser())]
    pub deviate: Vec<Deviation>,

    /// How long the `slow` deviation holds each response, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2500)]
    pub slow_ms: u64,

    /// Items per page of a collection when the client gives no `$top`.
    #[arg(long, value_name = "N", default_value_t = MockConfig::DEFAULT_PAGE_SIZE,
          value_parser = clap::value_parser!(u16).range(1..=999).map(usize::from))]
    pub page_size: usize,

    /// Close a connection whose request head is not complete this long after its first
    /// byte, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = millis(MockConfig::DEFAULT_HEADER_TIMEOUT),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,

    /// Answer `408` when a request body has not arrived after this long, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = millis(MockConfig::DEFAULT_BODY_TIMEOUT),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout: u64,

    /// Close a keep-alive connection idle this long between requests, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = millis(MockConfig::DEFAULT_IDLE_TIMEOUT),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,

    /// The most connections served at once; more wait until one closes.
    #[arg(long, value_name = "N", default_value_t = MockConfig::DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    pub max_connections: usize,

    /// The most header fields a request may carry (`431` beyond).
    #[arg(long, value_name = "N", default_value_t = MockConfig::DEFAULT_MAX_HEADERS,
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub max_headers: usize,

    /// The largest request body, in bytes (`413` beyond).
    #[arg(long, value_name = "BYTES", default_value_t = MockConfig::DEFAULT_BODY_LIMIT)]
    pub max_body_bytes: usize,

    /// The most key sets held at once (`507` beyond).
    #[arg(long, value_name = "N", default_value_t = MockConfig::DEFAULT_MAX_KEY_SETS)]
    pub max_key_sets: usize,

    /// The most keys in one key set (`507` beyond).
    #[arg(long, value_name = "N", default_value_t = MockConfig::DEFAULT_MAX_KEYS_PER_SET)]
    pub max_keys_per_set: usize,

    /// The most bytes of key material held in all (`507` beyond).
    #[arg(long, value_name = "BYTES", default_value_t = MockConfig::DEFAULT_MAX_STORED_BYTES)]
    pub max_stored_bytes: usize,

    /// RSA key pairs made ahead of time for `generateKey`, filled at start-up (0: none).
    #[arg(long, value_name = "N", default_value_t = MockConfig::SERVE_RSA_POOL)]
    pub rsa_pool: usize,
}

/// A default duration as the whole milliseconds an option takes.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Lists every deviation with its description in `--help`.
fn deviation_parser() -> impl TypedValueParser<Value = Deviation> {
    let values = Deviation::ALL.map(|d| PossibleValue::new(d.name()).help(d.description()));
    PossibleValuesParser::new(values).try_map(|name| name.parse::<Deviation>())
}

impl ServeArgs {
    fn config(&self) -> MockConfig {
        MockConfig {
            auth: !self.no_auth,
            latency: Duration::from_millis(self.latency),
            deviations: self.deviate.clone(),
            slow_delay: Duration::from_millis(self.slow_ms),
            page_size: self.page_size,
            header_timeout: Duration::from_millis(self.header_timeout),
            body_timeout: Duration::from_millis(self.body_timeout),
            idle_timeout: Duration::from_millis(self.idle_timeout),
            max_connections: self.max_connections,
            max_headers: self.max_headers,
            body_limit: self.max_body_bytes,
            max_key_sets: self.max_key_sets,
            max_keys_per_set: self.max_keys_per_set,
            max_stored_bytes: self.max_stored_bytes,
            rsa_pool: self.rsa_pool,
        }
    }
}

/// A `--bind` value that names no address to listen on. clap shows only this error's own
/// message (not a cause chain), so the resolver's reason is part of it rather than a source.
#[derive(Debug, thiserror::Error)]
enum BindError {
    #[error("expected HOST:PORT (e.g. `localhost:8085`), got `{0}`")]
    NotHostPort(String),
    #[error("cannot resolve `{value}`: {reason}")]
    Unresolvable { value: String, reason: std::io::Error },
    #[error("`{0}` resolves to no address")]
    NoAddress(String),
}

/// `--bind`: a socket address, or a host name and port resolved to the first address the
/// resolver gives (`localhost:8085`).
fn bind_address(value: &str) -> Result<SocketAddr, BindError> {
    use std::net::ToSocketAddrs;
    if let Ok(addr) = value.parse() {
        return Ok(addr);
    }
    if value.rsplit_once(':').is_none_or(|(_, port)| port.parse::<u16>().is_err()) {
        return Err(BindError::NotHostPort(value.to_string()));
    }
    let mut addrs = value
        .to_socket_addrs()
        .map_err(|reason| BindError::Unresolvable { value: value.to_string(), reason })?;
    addrs.next().ok_or_else(|| BindError::NoAddress(value.to_string()))
}

/// Runs the mock in the foreground; the one place `serve` writes to the terminal.
#[allow(clippy::print_stderr)]
pub fn run(args: ServeArgs) -> Exit {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: failed to start the async runtime: {error}");
            return Exit::Error;
        }
    };
    let config = args.config();
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(args.bind).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("error: failed to listen on {}: {error}", args.bind);
                return Exit::Error;
            }
        };
        let addr = listener.local_addr().unwrap_or(args.bind);
        eprintln!("exemplar mock listening on http://{addr}");
        if !config.deviations.is_empty() {
            let names: Vec<&str> = config.deviations.iter().map(|d| d.name()).collect();
            eprintln!("deviating on purpose: {}", names.join(", "));
        }
        let state = AppState::new(config);
        // A long-lived server fills its key pool at once; the line lets scripts wait for it.
        let pool = state.keys.clone();
        if pool.capacity() > 0 {
            pool.start();
            tokio::spawn(async move {
                pool.filled().await;
                eprintln!("RSA key pool filled: {} key pairs ready", pool.capacity());
            });
        }
        match crate::mock::serve_state(listener, state, crate::mock::shutdown_signal()).await {
            Ok(()) => Exit::Success,
            Err(error) => {
                eprintln!("error: the mock server failed: {error}");
                Exit::Error
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: ServeArgs,
    }

    fn parse(args: &[&str]) -> Result<MockConfig, clap::Error> {
        let argv = std::iter::once("serve").chain(args.iter().copied());
        Wrapper::try_parse_from(argv).map(|w| w.args.config())
    }

    #[test]
    fn defaults_are_the_faithful_mock() {
        let config = parse(&[]).unwrap();
        // A long-lived server keeps RSA key pairs ready; otherwise the library's defaults.
        assert_eq!(config.rsa_pool, MockConfig::SERVE_RSA_POOL);
        assert_eq!(
            MockConfig { rsa_pool: MockConfig::DEFAULT_RSA_POOL, ..config },
            MockConfig::default()
        );
    }

    #[test]
    fn every_option_reaches_the_config() {
        let config = parse(&[
            "--no-auth",
            "--latency",
            "25",
            "--deviate",
            "status,wrong-type",
            "--deviate",
            "slow",
            "--slow-ms",
            "40",
        ])
        .unwrap();
        assert!(!config.auth);
        assert_eq!(config.latency, Duration::from_millis(25));
        assert_eq!(config.deviations, [Deviation::Status, Deviation::WrongType, Deviation::Slow]);
        assert_eq!(config.slow_delay, Duration::from_millis(40));
    }

    #[test]
    fn unknown_deviations_and_bad_addresses_are_usage_errors() {
        assert!(parse(&["--deviate", "teapot"]).is_err());
        assert!(parse(&["--bind", "localhost"]).is_err());
        assert!(parse(&["--bind", "localhost:http"]).is_err());
        assert!(parse(&["--latency", "-1"]).is_err());
    }

    #[test]
    fn bind_accepts_a_host_name_and_resolves_it() {
        let addr = super::bind_address("localhost:8085").unwrap();
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_eq!(addr.port(), 8085);
        assert_eq!(super::bind_address("127.0.0.1:0").unwrap().port(), 0);
        let e = super::bind_address("no-such-host.invalid:80").unwrap_err();
        assert!(matches!(e, super::BindError::Unresolvable { .. }), "{e:?}");
        assert!(e.to_string().starts_with("cannot resolve `no-such-host.invalid:80`: "), "{e}");
        let e = super::bind_address("localhost").unwrap_err();
        assert_eq!(e.to_string(), "expected HOST:PORT (e.g. `localhost:8085`), got `localhost`");
    }

    #[test]
    fn limits_and_timeouts_reach_the_config() {
        let config = parse(&[
            "--page-size",
            "7",
            "--header-timeout",
            "250",
            "--body-timeout",
            "300",
            "--idle-timeout",
            "400",
            "--max-connections",
            "3",
            "--max-headers",
            "12",
            "--max-body-bytes",
            "2048",
            "--max-key-sets",
            "5",
            "--max-keys-per-set",
            "6",
            "--max-stored-bytes",
            "9999",
            "--rsa-pool",
            "0",
        ])
        .unwrap();
        assert_eq!(config.page_size, 7);
        assert_eq!(config.header_timeout, Duration::from_millis(250));
        assert_eq!(config.body_timeout, Duration::from_millis(300));
        assert_eq!(config.idle_timeout, Duration::from_millis(400));
        assert_eq!((config.max_connections, config.max_headers), (3, 12));
        assert_eq!(config.body_limit, 2048);
        assert_eq!((config.max_key_sets, config.max_keys_per_set), (5, 6));
        assert_eq!((config.max_stored_bytes, config.rsa_pool), (9999, 0));
    }

    #[test]
    fn zero_timeouts_and_page_sizes_are_usage_errors() {
        for option in [
            "--header-timeout",
            "--body-timeout",
            "--idle-timeout",
            "--page-size",
            "--max-connections",
            "--max-headers",
        ] {
            let error = parse(&[option, "0"]).unwrap_err();
            assert!(error.to_string().contains(option), "{option}: {error}");
        }
        assert!(parse(&["--page-size", "1000"]).is_err());
    }
}
