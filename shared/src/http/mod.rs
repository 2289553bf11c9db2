//! HTTP edge: Lambda requests in, responses out. The one place errors become wire responses
//! is [`response::error`].

pub mod authorize;
pub mod authorizer;
pub mod introspect;
pub mod metadata;
pub mod pages;
pub mod request;
pub mod response;
pub mod revoke;
pub mod token;
pub mod token_function;
