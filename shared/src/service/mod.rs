//! Use cases: the protocol's decisions carried out against the stores.

pub mod admin;
pub mod apps;
pub(crate) mod authorization;
pub(crate) mod client_authentication;
mod code_exchange;
mod issuance;
pub mod keys;
pub(crate) mod login;
mod password_grant;
mod refresh;
pub mod registration;
pub mod token_endpoint;
pub mod token_lifecycle;

use crate::protocol::error::OAuthError;
use crate::store::StoreError;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A protocol error for the client.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// The client is known but may not use this endpoint (introspection without the right).
    #[error("forbidden: {0}")]
    Forbidden(OAuthError),
    /// A storage failure: the detail is logged, never sent.
    #[error("storage failure: {0}")]
    Storage(#[from] StoreError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
