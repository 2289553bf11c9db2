//! The token function: token, revocation, introspection and metadata, by route.

use super::failure::Failure;
use super::routes::{self, Dialect, Endpoint, Resolved};
use super::{
    cors, introspection, jwks, metadata, registration, revocation, token_endpoint, userinfo,
};
use crate::config::AppState;
use lambda_http::{Body, Request, Response};

/// Answers within the request deadline: a request that cannot finish in time (a DynamoDB that
/// does not answer) gets a 503, never Lambda's timeout.
pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    let Some(to) = routes::resolve(req.uri().path()) else {
        return Failure::NotFound.into_json(Dialect::Rfc);
    };
    let dialect = to.dialect;
    let deadline = state.settings.request_deadline();
    match tokio::time::timeout(deadline, route(state, to, req)).await {
        Ok(resp) => resp,
        Err(_) => Failure::DeadlineExceeded.into_json(dialect),
    }
}

async fn route(state: &AppState, to: Resolved, req: Request) -> Response<Body> {
    let ws = &to.workspace;
    match to.endpoint {
        Endpoint::Token | Endpoint::Revocation => browser_facing(state, &to, req).await,
        Endpoint::Introspection => introspection::handle(state, ws, req).await,
        Endpoint::Metadata | Endpoint::OpenIdConfiguration => metadata::handle(state, ws, req),
        Endpoint::UserInfo => userinfo::handle(state, ws, req).await,
        Endpoint::Jwks => jwks::handle(state, req).await,
        Endpoint::Registration | Endpoint::RegistrationConfiguration => {
            registration::handle(state, ws, to.client_id.as_deref(), req).await
        }
        // Served by the authorize function; routed here only by mistake.
        Endpoint::Authorization | Endpoint::Apps | Endpoint::Logout => {
            Failure::NotFound.into_json(Dialect::Rfc)
        }
    }
}

/// The endpoints a browser app calls cross-origin: CORS preflights answered, and the origin
/// allowed where the client registered it.
async fn browser_facing(state: &AppState, to: &Resolved, req: Request) -> Response<Body> {
    if let Some(answer) = cors::preflight(&req) {
        return answer;
    }
    let ws = &to.workspace;
    let allowed = cors::registered_origin(state, ws, &req).await;
    let mut resp = match to.endpoint {
        Endpoint::Token => token_endpoint::handle(state, ws, to.dialect, req).await,
        _ => revocation::handle(state, ws, req).await,
    };
    allowed.apply(&mut resp);
    resp
}
