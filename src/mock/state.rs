//! The state every handler shares: the configuration, the key set store and the pool of
//! ready RSA key pairs.

use std::sync::Arc;

use super::MockConfig;
use super::pool::KeyPool;
use super::store::{Limits, Store};

/// Shared by all requests of one server; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<MockConfig>,
    pub store: Arc<Store>,
    pub keys: Arc<KeyPool>,
}

impl AppState {
    /// A fresh server state with no key sets, within the configured bounds. The key pool
    /// starts filling on the first RSA `generateKey`, or at once with
    /// [`KeyPool::start`].
    pub fn new(config: MockConfig) -> Self {
        let limits = Limits {
            key_sets: config.max_key_sets,
            keys_per_set: config.max_keys_per_set,
            bytes: config.max_stored_bytes,
        };
        let keys = Arc::new(KeyPool::new(config.rsa_pool));
        Self { config: Arc::new(config), store: Arc::new(Store::with_limits(limits)), keys }
    }
}
