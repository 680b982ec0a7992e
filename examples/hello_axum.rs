//! A minimal axum "hello world" server: the baseline `benches/mock_wrk.sh` measures the
//! reference mock against, built from this crate so no separate project is needed.
//!
//! `cargo run --release --example hello_axum -- 127.0.0.1:0` prints
//! `hello_axum listening on http://ADDR` on stderr and serves `GET /` until killed.

use axum::Router;
use axum::routing::get;

#[tokio::main]
#[allow(clippy::print_stderr)]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    eprintln!("hello_axum listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
