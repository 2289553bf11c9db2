//! Operator actions behind the admin CLI: registering clients and users. Validation is done
//! before anything is written, so bad input writes nothing.

mod clients;
mod import;
mod registration;
mod users;

pub use clients::*;
pub use import::*;
pub use registration::*;
pub use users::*;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("storage failure: {0}")]
    Storage(#[from] StoreError),
}
