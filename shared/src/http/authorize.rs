//! `GET, POST /oauth2/authorize`: not served yet (the login page is its own issue). Answers
//! 501 so that nobody mistakes it for a working endpoint.

use super::response;
use crate::config::AppState;
use crate::protocol::error::{Error, OAuthError};
use crate::protocol::workspace;
use lambda_http::{Body, Request, Response};

pub async fn handle(_state: &AppState, req: Request) -> Response<Body> {
    let err = match workspace::from_path(req.uri().path(), "authorize") {
        Err(e) => e,
        Ok(_) => OAuthError::invalid_request("the authorization endpoint is not implemented yet")
            .with_status(501),
    };
    response::error(&Error::from(err))
}
