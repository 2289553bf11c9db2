//! `POST /oauth2/revoke` (RFC 7009).

use super::request::{form_body, header, require_method};
use super::response;
use crate::config::AppState;
use crate::protocol::error::Error;
use crate::protocol::workspace;
use crate::service::{clients, tokens};
use lambda_http::http::{header::AUTHORIZATION, Method};
use lambda_http::{Body, Request, Response};

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    match respond(state, &req).await {
        // §2.2: 200 whether or not the token existed; the body is empty.
        Ok(()) => response::no_store(200, Body::Empty),
        Err(e) => response::error(&e),
    }
}

async fn respond(state: &AppState, req: &Request) -> Result<(), Error> {
    let ws = workspace::from_path(req.uri().path(), "revoke")?;
    require_method(req, &[Method::POST])?;
    let form = form_body(req)?;
    let client = clients::authenticate(state, &ws, header(req, AUTHORIZATION), &form).await?;
    // `token_type_hint` only speeds up a search; one lookup by digest finds either kind.
    let token = form.require("token")?;
    tokens::revoke(state, &client, token).await
}
