//! `oauth-core`: everything the Lambda functions and the admin CLI share.
//!
//! Three layers, each readable alone: [`protocol`] (rules, no I/O), [`storage`] (DynamoDB),
//! [`http`] (Lambda requests in, responses out). [`service`] joins protocol and storage.

pub mod config;
pub mod crypto;
pub mod http;
pub mod protocol;
pub mod service;
pub mod storage;

pub use config::{AppState, Settings};
