//! `POST /oauth2/token` and its workspace and seed-alias paths.

use super::failure::Failure;
use super::request::{form_body, header, query, require_method, source};
use super::response;
use super::routes::Dialect;
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

const IN_THE_BODY: &str = "send them in the request body as application/x-www-form-urlencoded, and the client credentials there or in an Authorization: Basic header";

pub(crate) async fn handle(
    state: &AppState,
    workspace: &str,
    dialect: Dialect,
    req: Request,
) -> Response<Body> {
    let resp = match respond(state, workspace, &req).await {
        Ok(body) => response::json(200, &in_dialect(body, dialect)),
        Err(e) => e.into_json(dialect),
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
            "{p} must not be sent in the URL (RFC 6749 §2.3.1): {IN_THE_BODY}"
        ))
        .into());
    }
    let form = form_body(req)?;
    if in_url.contains("grant_type") && !form.contains("grant_type") {
        return Err(OAuthError::invalid_request(format!(
            "token request parameters are read from the body (RFC 6749 §3.2): {IN_THE_BODY}"
        ))
        .into());
    }
    let source = source(req);
    let issuer = super::request::issuer(state, req, workspace);
    let caller = Caller {
        workspace,
        authorization: header(req, AUTHORIZATION),
        source: &source,
        issuer: &issuer,
    };
    Ok(token_endpoint::token(state, &caller, &form).await?)
}

/// RFC 6749 §5.1 leaves `refresh_token` out when none is issued; seed 000's schema requires the
/// key, `null` then.
fn in_dialect(body: TokenResponse, dialect: Dialect) -> serde_json::Value {
    let mut value = serde_json::to_value(body).unwrap_or_default();
    if let (Dialect::Seed000, Some(fields)) = (dialect, value.as_object_mut()) {
        fields
            .entry("refresh_token")
            .or_insert(serde_json::Value::Null);
    }
    value
}
