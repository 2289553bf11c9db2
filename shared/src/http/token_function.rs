//! The token function's routes: token, revocation, introspection, server metadata.

use super::{introspect, metadata, revoke, token};
use crate::config::AppState;
use lambda_http::{Body, Request, Response};

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    let path = req.uri().path().trim_end_matches('/');
    if path.starts_with(metadata::PATH) {
        metadata::handle(state, req).await
    } else if path.ends_with("/revoke") {
        revoke::handle(state, req).await
    } else if path.ends_with("/introspect") {
        introspect::handle(state, req).await
    } else {
        token::handle(state, req).await
    }
}
