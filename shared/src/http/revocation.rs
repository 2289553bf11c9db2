//! `POST /oauth2/revoke` (RFC 7009).

use super::failure::Failure;
use super::request::{form_body, header, issuer, require_method};
use super::response;
use super::routes::Dialect;
use crate::config::AppState;
use crate::service::{client_authentication, token_lifecycle};
use lambda_http::http::{header::AUTHORIZATION, Method};
use lambda_http::{Body, Request, Response};

pub(crate) async fn handle(state: &AppState, workspace: &str, req: Request) -> Response<Body> {
    match respond(state, workspace, &req).await {
        // §2.2: 200 whether or not the token existed. The client ignores the body; an empty
        // JSON object keeps clients that insist on a JSON answer (simple-oauth2) working.
        Ok(()) => response::json(200, &serde_json::json!({})),
        Err(e) => e.into_json(Dialect::Rfc),
    }
}

async fn respond(state: &AppState, ws: &str, req: &Request) -> Result<(), Failure> {
    require_method(req, &[Method::POST])?;
    let form = form_body(req)?;
    let auth = header(req, AUTHORIZATION);
    let client = client_authentication::authenticate(state, ws, auth, &form).await?;
    // `token_type_hint` only speeds up a search; one lookup by digest finds either kind.
    let token = form.require("token")?;
    let issuer = issuer(state, req, ws);
    Ok(token_lifecycle::revoke(state, &client, &issuer, token).await?)
}
