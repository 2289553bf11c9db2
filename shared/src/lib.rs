//! `oauth-core`: everything the Lambda functions and the admin CLI share.
//!
//! Three layers, each readable alone: [`protocol`] (rules, no I/O, no HTTP), [`store`]
//! (capability traits with DynamoDB and in-memory adapters), [`http`] (Lambda requests in,
//! responses out). [`service`] carries the protocol's decisions out on the stores. See
//! `docs/architecture.md` for the map from each rule to its file.

pub mod clock;
pub mod config;
pub mod crypto;
pub mod http;
pub mod jose;
pub mod logging;
pub mod protocol;
pub mod sealing;
pub mod service;
pub mod store;

pub use config::{AppState, Settings};
