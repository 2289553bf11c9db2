//! HTTP edge: Lambda requests in, responses out. Routes are written once ([`routes`]); the
//! one place a failure becomes a wire response is [`failure`].

pub(crate) mod apps;
pub mod authorization;
pub mod authorizer;
pub(crate) mod cors;
pub(crate) mod failure;
pub(crate) mod introspection;
pub(crate) mod jwks;
pub mod lambda_event;
pub(crate) mod metadata;
pub(crate) mod registration;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod revocation;
pub mod routes;
pub(crate) mod token_endpoint;
pub mod token_function;
pub(crate) mod userinfo;
