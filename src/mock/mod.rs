//! The reference mock of the Microsoft Graph `trustFramework/keySets` API (Azure AD B2C
//! policy keys): an axum server with in-memory state that implements every documented
//! operation with real cryptography, answers bad input with Graph's error envelope, and
//! can be told to break the contract in named ways ([`Deviation`]).
//!
//! [`app`] gives the router for in-process use; [`spawn`] runs it on a loopback port for
//! the runner and tests; `exemplar serve` runs it from the command line.

mod b64;
mod body;
mod certificate;
mod config;
mod deviation;
mod error;
mod fields;
mod handlers;
mod jwk;
mod key;
mod keygen;
mod keyset;
mod odata;
mod path;
mod pkcs12;
mod pool;
mod render;
mod reply;
mod routes;
mod server;
mod state;
mod store;

pub use config::MockConfig;
pub use deviation::{Deviation, UnknownDeviation};
pub use error::GraphError;
pub use keyset::ID_PREFIX;
pub use pool::KeyPool;
pub use render::GRAPH_JSON;
pub use reply::{Operation, Shape};
pub use routes::app;
pub use server::{MockServer, serve, serve_state, shutdown_signal, spawn};
pub use state::AppState;
