//! The token function: token, revocation, introspection and metadata, by route.

use super::failure::Failure;
use super::routes::{self, Endpoint};
use super::{introspection, metadata, revocation, token_endpoint};
use crate::config::AppState;
use lambda_http::{Body, Request, Response};

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    let Some((endpoint, ws)) = routes::resolve(req.uri().path()) else {
        return Failure::NotFound.into_json();
    };
    match endpoint {
        Endpoint::Token => token_endpoint::handle(state, &ws, req).await,
        Endpoint::Revocation => revocation::handle(state, &ws, req).await,
        Endpoint::Introspection => introspection::handle(state, &ws, req).await,
        Endpoint::Metadata => metadata::handle(state, &ws, req),
        // Served by the authorize function; routed here only by mistake.
        Endpoint::Authorization => Failure::NotFound.into_json(),
    }
}
