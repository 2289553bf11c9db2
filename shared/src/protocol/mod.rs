//! Protocol layer: request validation and grant rules, free of I/O.

pub mod authorize;
pub mod client_auth;
pub mod error;
pub mod form;
pub mod grants;
pub mod model;
pub mod pkce;
pub mod redirect;
pub mod scope;
pub mod workspace;
