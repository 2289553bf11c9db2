//! Token lifecycle after issuance: is a token active (introspection, the API Gateway
//! authorizer), and revocation (RFC 7009).

use crate::config::{now, AppState};
use crate::protocol::error::Error;
use crate::protocol::model::{Client, TokenKind, TokenRecord};

/// The token's record if it is currently valid: known in this workspace, not expired (whatever
/// TTL has not deleted yet), and for refresh tokens not rotated and within the family's life.
pub async fn active(
    state: &AppState,
    workspace: &str,
    value: &str,
) -> Result<Option<TokenRecord>, Error> {
    let now = now();
    let token = state.store.token(workspace, value).await?;
    Ok(token.filter(|t| {
        t.expires_at > now
            && t.family_expires_at.is_none_or(|f| f > now)
            && !(t.kind == TokenKind::Refresh && t.rotated_at.is_some())
    }))
}

/// Revokes a token of `client` (RFC 7009 §2.1): a refresh token takes its whole family with
/// it, access tokens included; an access token goes alone. Unknown tokens and other clients'
/// tokens change nothing, and the caller answers 200 all the same (§2.2).
pub async fn revoke(state: &AppState, client: &Client, value: &str) -> Result<(), Error> {
    let Some(token) = state.store.token(&client.workspace, value).await? else {
        return Ok(());
    };
    if token.client_id != client.client_id {
        return Ok(());
    }
    revoke_record(state, value, &token).await
}

/// Revokes a token whoever it belongs to (the operator's `oauth-admin token revoke`).
pub async fn revoke_record(
    state: &AppState,
    value: &str,
    token: &TokenRecord,
) -> Result<(), Error> {
    match (token.kind, &token.grant_id) {
        (TokenKind::Refresh, Some(grant_id)) => {
            let keep_marker_until = token.family_expires_at.unwrap_or(token.expires_at);
            state
                .store
                .revoke_family(&token.workspace, grant_id, keep_marker_until)
                .await?
        }
        _ => state.store.delete_token(&token.workspace, value).await?,
    }
    Ok(())
}
