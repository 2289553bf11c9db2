//! `GET`, `POST /oauth2/userinfo` (OpenID Connect Core §5.3): the claims of the user an access
//! token with `openid` was issued for, as far as its scopes release them (§5.4). The token
//! travels as RFC 6750 §2 says (an `Authorization: Bearer` header, or `access_token` in a POST
//! form body; never both), and refusals are its §3 errors with their challenges. Two
//! DynamoDB round trips: the token's standing, then the user.

use super::cors;
use super::failure::Failure;
use super::request::{bearer_token, form_body, header, issuer, require_method};
use super::response;
use super::routes::Dialect;
use crate::config::AppState;
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::redirect_uri;
use crate::protocol::token_record::{TokenKind, TokenRecord};
use crate::service::token_lifecycle;
use lambda_http::http::header::{AUTHORIZATION, ORIGIN};
use lambda_http::http::{HeaderValue, Method};
use lambda_http::{Body, Request, Response};
use serde_json::Value;

pub(crate) async fn handle(state: &AppState, workspace: &str, req: Request) -> Response<Body> {
    if let Some(answer) = cors::preflight(&req) {
        return answer;
    }
    let mut resp = match respond(state, workspace, &req).await {
        Ok((claims, origin_ok)) => {
            let mut r = response::json(200, &claims);
            if origin_ok {
                if let Some(v) = header(&req, ORIGIN).and_then(|o| HeaderValue::from_str(o).ok()) {
                    r.headers_mut()
                        .insert(lambda_http::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
                }
            }
            r
        }
        Err(e) => e.into_json(Dialect::Rfc),
    };
    resp.headers_mut().insert(
        lambda_http::http::header::VARY,
        HeaderValue::from_static("Origin"),
    );
    resp
}

fn refused(why: &str) -> Failure {
    OAuthError::new(ErrorCode::InvalidToken, why).into()
}

/// The claims, and whether the request's origin is one of the token's client's.
async fn respond(state: &AppState, ws: &str, req: &Request) -> Result<(Value, bool), Failure> {
    require_method(req, &[Method::GET, Method::POST])?;
    // A header of another scheme carries no bearer token (RFC 6750 §3.1: no error code).
    let in_header = header(req, AUTHORIZATION).and_then(bearer_token);
    let form = match req.method() {
        &Method::POST => Some(form_body(req)?),
        _ => None,
    };
    let token = match (in_header, form.as_ref().and_then(|f| f.get("access_token"))) {
        (Some(t), None) | (None, Some(t)) => t.to_owned(),
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_request(
                "send the access token one way only (RFC 6750 section 2)",
            )
            .into())
        }
        (None, None) => {
            return Err(OAuthError::new(
                ErrorCode::TokenRequired,
                "an access token is required: send it as Authorization: Bearer",
            )
            .into())
        }
    };
    let iss = issuer(state, req, ws);
    let found = token_lifecycle::active(state, ws, &iss, &token).await?;
    // A token narrowed to another resource (RFC 8707) is that resource's, not UserInfo's.
    let for_userinfo = |t: &TokenRecord| t.audience.is_empty() || t.audience.contains(&iss);
    let Some(t) = found.filter(|t| t.kind == TokenKind::Access && for_userinfo(t)) else {
        return Err(refused("the access token is invalid, expired or revoked"));
    };
    let (Some(username), true) = (t.username.as_deref(), has_openid(&t)) else {
        return Err(OAuthError::new(
            ErrorCode::InsufficientScope,
            "the access token was not issued to a user for the openid scope",
        )
        .into());
    };
    let user = state.store.users.user(ws, username).await?;
    let Some(user) = user.filter(|u| Some(&u.sub) == t.sub.as_ref()) else {
        return Err(refused("the access token is invalid, expired or revoked"));
    };
    let origin_ok = match header(req, ORIGIN) {
        None => false,
        Some(origin) => {
            let client = state.store.clients.client(ws, &t.client_id).await?;
            client.is_some_and(|c| {
                c.redirect_uris
                    .iter()
                    .filter_map(|u| redirect_uri::origin(u))
                    .any(|o| o == origin)
            })
        }
    };
    Ok((Value::Object(user.claims(&t.scope)), origin_ok))
}

fn has_openid(t: &TokenRecord) -> bool {
    t.scope.iter().any(|s| s == "openid")
}
