//! Client authentication for every endpoint that takes client credentials (token,
//! revocation, introspection): the presented credentials against the registered client.

use super::Result;
use crate::config::AppState;
use crate::protocol::client::Client;
use crate::protocol::client_auth::{self, Presented};
use crate::protocol::form::Form;
use std::sync::Arc;

/// The client a request's credentials (Basic header or body) prove, or `invalid_client`.
pub(crate) async fn authenticate(
    state: &AppState,
    workspace: &str,
    authorization: Option<&str>,
    form: &Form,
) -> Result<Arc<Client>> {
    let presented = client_auth::presented(authorization, form, None)?;
    authenticate_presented(state, workspace, &presented).await
}

/// [`authenticate`] for credentials already read from the request.
pub(crate) async fn authenticate_presented(
    state: &AppState,
    workspace: &str,
    presented: &Presented,
) -> Result<Arc<Client>> {
    let client = state
        .store
        .clients
        .client(workspace, &presented.client_id)
        .await?;
    Ok(client_auth::authenticate(presented, client, state.now())?)
}
