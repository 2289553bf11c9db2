//! Client authentication for every endpoint that takes client credentials (token,
//! revocation, introspection).

use crate::config::AppState;
use crate::protocol::client_auth::{self, Presented};
use crate::protocol::error::Error;
use crate::protocol::form::Form;
use crate::protocol::model::Client;
use crate::storage::StoreError;
use std::future::Future;
use std::sync::Arc;

/// The client a request's credentials (Basic header or body) prove, or `invalid_client`.
pub async fn authenticate(
    state: &AppState,
    workspace: &str,
    authorization: Option<&str>,
    form: &Form,
) -> Result<Arc<Client>, Error> {
    let presented = client_auth::presented(authorization, form)?;
    authenticate_presented(state, workspace, &presented).await
}

/// [`authenticate`] for credentials already read from the request.
pub async fn authenticate_presented(
    state: &AppState,
    workspace: &str,
    presented: &Presented,
) -> Result<Arc<Client>, Error> {
    let client = state.client(workspace, &presented.client_id).await?;
    Ok(client_auth::authenticate(presented, client)?)
}

/// Authenticates the presented client and reads the item its request is about in the same
/// round trip: from the warm cache plus one read (`alone`), or both in one batch read (`both`).
pub async fn authenticate_with<T, A, B>(
    state: &AppState,
    workspace: &str,
    presented: &Presented,
    alone: impl FnOnce() -> A,
    both: impl FnOnce() -> B,
) -> Result<(Arc<Client>, Option<T>), Error>
where
    A: Future<Output = Result<Option<T>, StoreError>>,
    B: Future<Output = Result<(Option<Client>, Option<T>), StoreError>>,
{
    let (client, item) = match state.cached_client(workspace, &presented.client_id) {
        Some(c) => (Some(c), alone().await?),
        None => {
            let (c, item) = both().await?;
            (c.map(|c| state.remember_client(c)), item)
        }
    };
    Ok((client_auth::authenticate(presented, client)?, item))
}
