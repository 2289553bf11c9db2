//! `POST /oauth2/token` and its workspace and seed-alias paths.

use super::failure::Failure;
use super::request::{form_body, header, query, require_method, source};
use super::response;
use crate::config::AppState;
use crate::protocol::error::OAuthError;
use crate::service::token_endpoint::{self, Caller, TokenResponse};
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

pub(crate) async fn handle(state: &AppState, workspace: &str, req: Request) -> Response<Body> {
    let resp = match respond(state, workspace, &req).await {
        Ok(body) => response::json(200, &body),
        Err(e) => e.into_json(),
    };
    tracing::info!(path = %req.uri().path(), status = resp.status().as_u16(), "token request");
    resp
}

async fn respond(
    state: &AppState,
    workspace: &str,
    req: &Request,
) -> Result<TokenResponse, Failure> {
    require_method(req, &[Method::POST])?;
    let in_url = query(req)?;
    if let Some(p) = SECRET_PARAMS.iter().find(|p| in_url.contains(p)) {
        return Err(OAuthError::invalid_request(format!(
            "{p} must be sent in the form body, never in the URL"
        ))
        .into());
    }
    let form = form_body(req)?;
    let source = source(req);
    let caller = Caller {
        workspace,
        authorization: header(req, AUTHORIZATION),
        source: &source,
    };
    Ok(token_endpoint::token(state, &caller, &form).await?)
}
