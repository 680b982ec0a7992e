//! The handlers of the documented operations, one file per resource: key sets, the actions
//! bound to a key set, and the `keys_v2` navigation. Each returns a [`Reply`] or a
//! [`GraphError`](super::GraphError); headers, deviations and the error envelope are added
//! by the response middleware.
//!
//! [`Reply`]: super::reply::Reply

pub mod actions;
pub mod keys_v2;
pub mod keysets;
