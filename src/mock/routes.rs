//! The router: every documented operation, the catch-alls for unknown routes, and the
//! layers that make every answer Graph-shaped.
//!
//! Requests pass, from the outside in: the response middleware (auth, headers, envelope,
//! deviations, latency), a panic guard, path normalisation (version prefix, key syntax,
//! letter case), and then the routes.

use std::any::Any;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router, middleware};
use tower::Layer;
use tower::util::MapRequestLayer;
use tower_http::catch_panic::CatchPanicLayer;

use super::body::{BodyLimit, BodyTimeout};
use super::handlers::{actions, keys_v2, keysets};
use super::path::ApiVersion;
use super::{AppState, GraphError, odata, path, render};

/// The mock as an axum [`Router`], ready to serve or to call in-process.
pub fn app(state: AppState) -> Router {
    let limit = state.config.body_limit;
    let keyset = "/trustFramework/keySets/{id}";
    let api = Router::new()
        .route("/trustFramework/keySets", get(keysets::list).post(keysets::create))
        .route("/trustFramework/keySets/$count", get(keysets::count))
        .route(
            keyset,
            get(keysets::get).put(keysets::replace).patch(keysets::update).delete(keysets::delete),
        )
        .route(&format!("{keyset}/generateKey"), post(actions::generate_key))
        .route(&format!("{keyset}/uploadSecret"), post(actions::upload_secret))
        .route(&format!("{keyset}/uploadCertificate"), post(actions::upload_certificate))
        .route(&format!("{keyset}/uploadPkcs12"), post(actions::upload_pkcs12))
        .route(&format!("{keyset}/getActiveKey"), get(actions::get_active_key))
        .route(&format!("{keyset}/keys_v2"), get(keys_v2::list))
        .route(&format!("{keyset}/keys_v2/$count"), get(keys_v2::count))
        .route(
            &format!("{keyset}/keys_v2/{{kid}}"),
            get(keys_v2::get).patch(keys_v2::update_status),
        )
        .route_layer(middleware::from_fn(odata::refuse_on_writes))
        .fallback(unknown_route)
        .layer(DefaultBodyLimit::max(limit))
        .layer(Extension(BodyLimit(limit)))
        .layer(Extension(BodyTimeout(state.config.body_timeout)))
        .with_state(state.clone());

    // Path rewriting has to happen before routing, so it wraps the API router as a
    // service instead of being one of its layers.
    let api = MapRequestLayer::new(path::normalize).layer(api);

    Router::new()
        .fallback_service(api)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(state, render::graph_response))
}

async fn unknown_route(
    method: Method,
    uri: Uri,
    version: Option<Extension<ApiVersion>>,
) -> GraphError {
    let version = version.map_or("", |Extension(ApiVersion(v))| v);
    let path: String = uri.path().chars().take(200).collect();
    GraphError::not_found(format!("no resource at {method} {version}{path}"))
}

/// The last resort for a bug: a `500` envelope instead of a dropped connection. The panic
/// message is not passed on, in case it holds request data.
fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    GraphError::internal("the mock failed while answering this request").into_response()
}
