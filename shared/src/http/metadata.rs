//! `GET /.well-known/oauth-authorization-server[/{workspace}]` (RFC 8414), from configuration
//! alone: no DynamoDB call.

use super::authorize::issuer_of;
use super::request::{base_url, require_method};
use super::response;
use crate::config::AppState;
use crate::protocol::error::{Error, OAuthError};
use crate::protocol::workspace::{self, DEFAULT_WORKSPACE};
use lambda_http::http::{header, HeaderValue, Method};
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

pub const PATH: &str = "/.well-known/oauth-authorization-server";

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    match respond(state, &req) {
        Ok(body) => {
            let mut resp = response::json(200, &body);
            // Public and stable: clients may cache it.
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            resp.headers_mut().remove(header::PRAGMA);
            resp
        }
        Err(e) => {
            let mut resp = response::error(&e);
            if resp.status() == 405 {
                resp.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("GET"));
            }
            resp
        }
    }
}

/// The workspace of a metadata path (RFC 8414 §3.1: the issuer's path goes after the
/// well-known segment).
pub fn workspace_of(path: &str) -> Result<String, OAuthError> {
    let not_found =
        || OAuthError::invalid_request(format!("no such endpoint: {path}")).with_status(404);
    let rest = path.strip_prefix(PATH).ok_or_else(not_found)?;
    match rest.trim_end_matches('/') {
        "" => Ok(DEFAULT_WORKSPACE.to_owned()),
        ws => {
            let ws = ws.strip_prefix('/').ok_or_else(not_found)?;
            workspace::validate_name(ws).map_err(|_| not_found())?;
            Ok(ws.to_owned())
        }
    }
}

fn respond(state: &AppState, req: &Request) -> Result<Value, Error> {
    let ws = workspace_of(req.uri().path())?;
    require_method(req, &[Method::GET])?;
    let base = base_url(state.settings.issuer.as_deref(), req);
    let issuer = issuer_of(&base, &ws);
    let endpoint = |name: &str| format!("{issuer}/oauth2/{name}");
    let auth_methods = ["client_secret_basic", "client_secret_post", "none"];
    let mut meta = json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint("authorize"),
        "token_endpoint": endpoint("token"),
        "revocation_endpoint": endpoint("revoke"),
        "introspection_endpoint": endpoint("introspect"),
        "grant_types_supported": ["authorization_code", "implicit", "password", "client_credentials", "refresh_token"],
        "response_types_supported": ["code", "token"],
        "response_modes_supported": ["query", "fragment"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "authorization_response_iss_parameter_supported": true,
    });
    if !state.settings.scopes_supported.is_empty() {
        meta["scopes_supported"] = json!(state.settings.scopes_supported);
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_paths() {
        assert_eq!(workspace_of(PATH).unwrap(), "default");
        assert_eq!(workspace_of(&format!("{PATH}/acme")).unwrap(), "acme");
        assert_eq!(
            workspace_of(&format!("{PATH}/Acme")).unwrap_err().status,
            404
        );
        assert_eq!(workspace_of(&format!("{PATH}x")).unwrap_err().status, 404);
        assert_eq!(
            workspace_of(&format!("{PATH}/a/b")).unwrap_err().status,
            404
        );
    }
}
