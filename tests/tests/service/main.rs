//! Service tests: every grant rule and every step of the authorization endpoint, through the
//! functions' real handlers on the in-memory store (the contract suite holds it to the
//! DynamoDB adapter). Fast, and no Java.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod api_gateway_jwt;
mod apps;
mod authorization_flow;
mod authorization_prompt;
mod authorization_requests;
mod branding;
mod client_cache;
mod clock;
mod code_exchange;
mod cors;
mod deployment;
mod dialects;
mod hardening;
mod jwt_tokens;
mod lifecycle;
mod logout;
mod oidc;
mod password;
mod properties;
mod refresh;
mod registration;
mod repeats;
mod token_requests;
