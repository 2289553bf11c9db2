//! `POST /oauth2/token` and its workspace and seed-alias paths.

use super::request::{form_body, header, query, require_method};
use super::response;
use crate::config::AppState;
use crate::protocol::error::{Error, OAuthError};
use crate::protocol::workspace;
use crate::service;
use lambda_http::http::{header::AUTHORIZATION, Method};
use lambda_http::{Body, Request, Response};

/// Parameters that must never travel in a URL, where logs and proxies keep them.
const SECRET_PARAMS: [&str; 6] = [
    "client_secret",
    "password",
    "code",
    "refresh_token",
    "code_verifier",
    "username",
];

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    let result = respond(state, &req).await;
    let status = match &result {
        Ok(_) => 200,
        Err(Error::OAuth(e)) => e.status,
        Err(Error::Storage(_)) => 500,
    };
    tracing::info!(path = %req.uri().path(), status, "token request");
    match result {
        Ok(body) => response::json(200, &body),
        Err(e) => response::error(&e),
    }
}

async fn respond(state: &AppState, req: &Request) -> Result<service::token::TokenResponse, Error> {
    let workspace = workspace::from_path(req.uri().path(), "token")?;
    require_method(req, &[Method::POST])?;
    let in_url = query(req)?;
    if let Some(p) = SECRET_PARAMS.iter().find(|p| in_url.contains(p)) {
        return Err(OAuthError::invalid_request(format!(
            "{p} must be sent in the form body, never in the URL"
        ))
        .into());
    }
    let form = form_body(req)?;
    service::token::token(state, &workspace, header(req, AUTHORIZATION), &form).await
}
