//! The token function: token, revocation, introspection and metadata, by route.

use super::failure::Failure;
use super::routes::{self, Endpoint};
use super::{introspection, metadata, revocation, token_endpoint};
use crate::config::AppState;
use lambda_http::{Body, Request, Response};

/// Answers within the request deadline: a request that cannot finish in time (a DynamoDB that
/// does not answer) gets a 503, never Lambda's timeout.
pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    let deadline = state.settings.request_deadline();
    match tokio::time::timeout(deadline, route(state, req)).await {
        Ok(resp) => resp,
        Err(_) => Failure::DeadlineExceeded.into_json(),
    }
}

async fn route(state: &AppState, req: Request) -> Response<Body> {
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
