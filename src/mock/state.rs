//! The state every handler shares: the configuration and the key set store.

use std::sync::Arc;

use super::MockConfig;
use super::store::Store;

/// Shared by all requests of one server; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<MockConfig>,
    pub store: Arc<Store>,
}

impl AppState {
    /// A fresh server state with no key sets.
    pub fn new(config: MockConfig) -> Self {
        Self { config: Arc::new(config), store: Arc::new(Store::new()) }
    }
}
