//! Use cases: the protocol's decisions carried out against storage.

pub mod admin;
pub mod authorize;
pub mod clients;
pub mod login;
pub mod token;
pub mod tokens;
