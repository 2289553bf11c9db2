//! `GET /.well-known/oauth-authorization-server[/{workspace}]` (RFC 8414) and
//! `GET [/{workspace}]/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4): one
//! document, served at both, from configuration alone (no DynamoDB call).

use super::request::{issuer, require_method};
use super::response;
use super::routes::Dialect;
use crate::config::AppState;
use lambda_http::http::{header, HeaderValue, Method};
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

pub(crate) fn handle(state: &AppState, ws: &str, req: Request) -> Response<Body> {
    if let Err(e) = require_method(&req, &[Method::GET]) {
        return e.into_json(Dialect::Rfc);
    }
    let mut resp = response::json(200, &document(state, ws, &req));
    // Public and stable: clients may cache it.
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    h.remove(header::PRAGMA);
    super::cors::allow_any_origin(&mut resp);
    resp
}

fn document(state: &AppState, ws: &str, req: &Request) -> Value {
    let issuer = issuer(state, req, ws);
    let endpoint = |name: &str| format!("{issuer}/oauth2/{name}");
    let auth_methods = ["client_secret_basic", "client_secret_post", "none"];
    let offered = &state.settings.deployment;
    let grant_types: Vec<_> = offered.grant_types.iter().map(|g| g.as_str()).collect();
    let mut meta = json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint("authorize"),
        "token_endpoint": endpoint("token"),
        "revocation_endpoint": endpoint("revoke"),
        "introspection_endpoint": endpoint("introspect"),
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        // RFC 7591: open to holders of an initial access token.
        "registration_endpoint": endpoint("register"),
        "grant_types_supported": grant_types,
        "response_types_supported": response_types(offered),
        "response_modes_supported": offered.response_modes(),
        "code_challenge_methods_supported": offered.pkce_methods(),
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "authorization_response_iss_parameter_supported": true,
        // OpenID Connect Discovery §3.
        "userinfo_endpoint": endpoint("userinfo"),
        // OpenID Connect RP-Initiated Logout 1.0 §2.1.
        "end_session_endpoint": endpoint("logout"),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "claims_supported": CLAIMS,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    });
    // RFC 8414 §2: no authorization endpoint where no grant uses one.
    if offered.response_types().is_empty() {
        if let Some(m) = meta.as_object_mut() {
            m.remove("authorization_endpoint");
            m.remove("response_modes_supported");
        }
    }
    // The deployment's scopes, and OpenID Connect's (Discovery §3 requires `openid`).
    let mut scopes: Vec<&str> = OIDC_SCOPES.to_vec();
    for s in &state.settings.scopes_supported {
        if !scopes.contains(&s.as_str()) {
            scopes.push(s);
        }
    }
    meta["scopes_supported"] = json!(scopes);
    meta
}

/// The scopes whose claims this server releases (OpenID Connect Core §5.4).
const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "email"];

/// The claims this server's ID tokens and UserInfo answers carry.
const CLAIMS: [&str; 12] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "name",
    "preferred_username",
    "email",
    "email_verified",
];

/// The deployment's response types, and OpenID Connect's implicit ones where implicit is
/// offered.
fn response_types(offered: &crate::protocol::deployment::Deployment) -> Vec<&'static str> {
    let mut types = offered.response_types();
    if types.contains(&"token") {
        types.extend(["id_token", "id_token token"]);
    }
    types
}
