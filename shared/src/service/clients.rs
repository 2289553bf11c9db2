//! Client authentication for every endpoint that takes client credentials (token,
//! revocation, introspection).

use crate::config::AppState;
use crate::protocol::client_auth;
use crate::protocol::error::Error;
use crate::protocol::form::Form;
use crate::protocol::model::Client;
use std::sync::Arc;

/// The client a request's credentials (Basic header or body) prove, or `invalid_client`.
pub async fn authenticate(
    state: &AppState,
    workspace: &str,
    authorization: Option<&str>,
    form: &Form,
) -> Result<Arc<Client>, Error> {
    let presented = client_auth::presented(authorization, form)?;
    let client = state.client(workspace, &presented.client_id).await?;
    Ok(client_auth::authenticate(&presented, client)?)
}
