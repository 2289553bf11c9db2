//! `POST /oauth2/introspect` (RFC 7662), for clients registered with `--introspect`.

use super::failure::Failure;
use super::request::{form_body, header, issuer, require_method};
use super::response;
use super::routes::Dialect;
use crate::config::AppState;
use crate::protocol::error::OAuthError;
use crate::protocol::token_record::{self, TokenKind};
use crate::service::{self, client_authentication, token_lifecycle};
use lambda_http::http::{header::AUTHORIZATION, Method};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

/// §2.2. An inactive token is `{"active": false}` and nothing else.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Introspection {
    pub(crate) active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) exp: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) iat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) iss: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) aud: Vec<String>,
}

pub(crate) async fn handle(state: &AppState, workspace: &str, req: Request) -> Response<Body> {
    match respond(state, workspace, &req).await {
        Ok(body) => response::json(200, &body),
        Err(e) => e.into_json(Dialect::Rfc),
    }
}

async fn respond(state: &AppState, ws: &str, req: &Request) -> Result<Introspection, Failure> {
    require_method(req, &[Method::POST])?;
    let form = form_body(req)?;
    let auth = header(req, AUTHORIZATION);
    let caller = client_authentication::authenticate(state, ws, auth, &form).await?;
    // §2.1: the caller must be authorized; a public client proves nothing.
    if !caller.policy.introspect || caller.is_public() {
        return Err(service::Error::Forbidden(OAuthError::unauthorized_client(
            "this client is not registered for introspection",
        ))
        .into());
    }
    let value = form.require("token")?;
    // §4: a caller learns only about tokens it may see; others read as inactive.
    let iss = issuer(state, req, ws);
    let seen = token_lifecycle::active(state, ws, &iss, value).await?;
    let Some(t) = seen.filter(|t| token_record::may_introspect(&caller, t)) else {
        return Ok(Introspection::default());
    };
    Ok(Introspection {
        active: true,
        scope: Some(t.scope.to_wire()),
        client_id: Some(t.client_id),
        username: t.username,
        token_type: Some(match t.kind {
            TokenKind::Access => "Bearer",
            TokenKind::Refresh => "refresh_token",
        }),
        exp: Some(t.expires_at),
        iat: Some(t.issued_at),
        sub: t.sub,
        iss: Some(iss),
        aud: t.audience,
    })
}
