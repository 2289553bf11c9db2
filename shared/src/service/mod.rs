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
    /// The signing keys could not be used (none signs, or KMS failed): logged, never sent.
    #[error("signing keys: {0}")]
    Keys(keys::KeyError),
}

impl From<keys::KeyError> for Error {
    fn from(e: keys::KeyError) -> Self {
        match e {
            // A keyring that cannot be read is storage like any other (503 when unavailable).
            keys::KeyError::Store(s) => Self::Storage(s),
            other => Self::Keys(other),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
