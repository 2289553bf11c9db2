//! `GET /.well-known/jwks.json` (and `/{workspace}/.well-known/jwks.json`: the keys serve
//! every workspace): the public keys a relying party or API Gateway verifies our JWTs with,
//! upcoming ones included, as RFC 7517 §5 sets them out. One DynamoDB read (the keyring).

use super::request::require_method;
use super::response;
use super::routes::Dialect;
use crate::config::AppState;
use crate::service::keys;
use lambda_http::http::{header, HeaderValue, Method};
use lambda_http::{Body, Request, Response};

pub(crate) async fn handle(state: &AppState, req: Request) -> Response<Body> {
    if let Err(e) = require_method(&req, &[Method::GET]) {
        return e.into_json(Dialect::Rfc);
    }
    let ring = match state.store.keys.keyring().await {
        Ok(ring) => ring,
        Err(e) => return super::failure::Failure::from(e).into_json(Dialect::Rfc),
    };
    let mut resp = response::json(200, &keys::jwks(&ring, state.now()));
    let h = resp.headers_mut();
    // Caches may keep it a while: a new key is published hours before it signs.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.remove(header::PRAGMA);
    super::cors::allow_any_origin(&mut resp);
    resp
}
