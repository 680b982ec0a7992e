//! `exemplar serve`: runs the reference mock until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use super::Exit;
use crate::mock::{Deviation, MockConfig};

/// Serve the reference mock of the trustFramework keySets API.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. The address in use is printed on
    /// stderr as `exemplar mock listening on http://ADDR`.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
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
            ..MockConfig::default()
        }
    }
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
        match crate::mock::serve(listener, config, crate::mock::shutdown_signal()).await {
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
        assert_eq!(parse(&[]).unwrap(), MockConfig::default());
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
        assert!(parse(&["--latency", "-1"]).is_err());
    }
}
