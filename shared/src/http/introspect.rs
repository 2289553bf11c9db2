//! `POST /oauth2/introspect` (RFC 7662), for clients registered with `--introspect`.

use super::request::{base_url, form_body, header, require_method};
use super::response;
use crate::config::AppState;
use crate::protocol::error::{Error, ErrorCode, OAuthError};
use crate::protocol::model::TokenKind;
use crate::protocol::workspace;
use crate::service::{clients, tokens};
use lambda_http::http::{header::AUTHORIZATION, Method};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

/// §2.2. An inactive token is `{"active": false}` and nothing else.
#[derive(Debug, Default, Serialize)]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
}

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    match respond(state, &req).await {
        Ok(body) => response::json(200, &body),
        Err(e) => response::error(&e),
    }
}

async fn respond(state: &AppState, req: &Request) -> Result<Introspection, Error> {
    let ws = workspace::from_path(req.uri().path(), "introspect")?;
    require_method(req, &[Method::POST])?;
    let form = form_body(req)?;
    let caller = clients::authenticate(state, &ws, header(req, AUTHORIZATION), &form).await?;
    // RFC 7662 §2.1: the caller must be authorized; a public client proves nothing.
    if !caller.introspect || caller.is_public() {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "this client is not registered for introspection",
        )
        .with_status(403)
        .into());
    }
    let value = form.require("token")?;
    let Some(t) = tokens::active(state, &ws, value).await? else {
        return Ok(Introspection::default());
    };
    let base = base_url(state.settings.issuer.as_deref(), req);
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
        iss: Some(super::authorize::issuer_of(&base, &ws)),
    })
}
