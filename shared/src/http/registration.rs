//! `POST /{workspace}/oauth2/register` (RFC 7591) and `GET|PUT|DELETE
//! /{workspace}/oauth2/register/{client_id}` (RFC 7592): JSON in and out, bearer tokens in the
//! `Authorization` header (RFC 6750 §2.1).

use super::failure::Failure;
use super::request::{bearer_token, body, header, issuer, require_method, MAX_FORM_BYTES};
use super::response;
use super::routes::Dialect;
use crate::config::AppState;
use crate::protocol::error::OAuthError;
use crate::protocol::registration::client_information;
use crate::service::registration::{self, Registration};
use lambda_http::http::{header::AUTHORIZATION, header::CONTENT_TYPE, Method};
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

pub(crate) async fn handle(
    state: &AppState,
    ws: &str,
    client_id: Option<&str>,
    req: Request,
) -> Response<Body> {
    let answer = match client_id {
        None => register(state, ws, &req).await.map(|v| (201, Some(v))),
        Some(id) => manage(state, ws, id, &req).await,
    };
    let resp = match answer {
        Ok((status, Some(body))) => response::json(status, &body),
        Ok((status, None)) => response::no_store(status, Body::Empty),
        Err(e) => e.into_json(Dialect::Rfc),
    };
    tracing::info!(status = resp.status().as_u16(), "registration request");
    resp
}

/// The bearer token of the `Authorization` header, if there is one.
fn bearer(req: &Request) -> Option<&str> {
    header(req, AUTHORIZATION).and_then(bearer_token)
}

/// A JSON body, bounded in size (RFC 7591 §3.1).
fn json_body(req: &Request) -> Result<&[u8], Failure> {
    let media_type = header(req, CONTENT_TYPE)
        .and_then(|c| c.split(';').next())
        .map(str::trim);
    if !media_type.is_some_and(|m| m.eq_ignore_ascii_case("application/json")) {
        return Err(OAuthError::invalid_client_metadata(
            "the body must be application/json (RFC 7591 section 3.1)",
        )
        .into());
    }
    let body = body(req);
    if body.len() > MAX_FORM_BYTES {
        return Err(Failure::PayloadTooLarge(MAX_FORM_BYTES));
    }
    Ok(body)
}

/// Where a registration is managed: `{issuer}/oauth2/register/{client_id}` (only clients
/// that registered themselves have one, and their ids are letters and digits).
fn configuration_uri(issuer: &str, client_id: &str) -> String {
    format!("{issuer}/oauth2/register/{client_id}")
}

/// The client information response (RFC 7591 §3.2.1, RFC 7592 §3).
fn answer(issuer: &str, r: Registration) -> Value {
    let uri = configuration_uri(issuer, &r.client.client_id);
    let mut info = client_information(&r.client, &uri);
    info["registration_access_token"] = json!(r.registration_access_token);
    if let Some(secret) = r.client_secret {
        info["client_secret"] = json!(secret);
    }
    info
}

async fn register(state: &AppState, ws: &str, req: &Request) -> Result<Value, Failure> {
    require_method(req, &[Method::POST])?;
    let token = bearer(req);
    let body = json_body(req)?;
    let registered = registration::register(state, ws, token, body).await?;
    Ok(answer(&issuer(state, req, ws), registered))
}

async fn manage(
    state: &AppState,
    ws: &str,
    client_id: &str,
    req: &Request,
) -> Result<(u16, Option<Value>), Failure> {
    require_method(req, &[Method::GET, Method::PUT, Method::DELETE])?;
    let issuer = issuer(state, req, ws);
    let token = bearer(req);
    Ok(match *req.method() {
        Method::GET => {
            let read = registration::read(state, ws, client_id, token).await?;
            (200, Some(answer(&issuer, read)))
        }
        Method::PUT => {
            let body = json_body(req)?;
            let updated = registration::update(state, ws, client_id, token, body).await?;
            (200, Some(answer(&issuer, updated)))
        }
        _ => {
            registration::delete(state, ws, client_id, token).await?;
            (204, None)
        }
    })
}
