//! Protocol layer: request validation and grant rules over plain data. No I/O, and nothing of
//! HTTP: statuses, headers and routes belong to the edge (`crate::http`).

pub mod authorization_request;
pub mod authorization_response;
pub mod branding;
pub mod client;
pub mod client_auth;
pub mod code_grant;
pub mod deployment;
pub mod error;
pub mod form;
pub mod jwt;
pub mod keyring;
pub mod login;
pub mod pkce;
pub mod redirect_uri;
pub mod refresh_grant;
pub mod registration;
pub mod resource;
pub mod scope;
pub mod token_record;
pub mod token_request;
pub mod token_value;
pub mod user;
pub mod workspace;
