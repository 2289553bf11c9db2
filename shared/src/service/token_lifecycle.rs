//! Token lifecycle after issuance: is a token active (introspection, the API Gateway
//! authorizer), and revocation (RFC 7009).

use super::Result;
use crate::config::AppState;
use crate::protocol::client::Client;
use crate::protocol::token_record::{TokenKind, TokenRecord};

/// The token's record if it is active now: itself unexpired, and neither it, its family, its
/// user nor its client revoked (see `TokenStanding::is_active`), read in one round trip.
pub async fn active(state: &AppState, workspace: &str, value: &str) -> Result<Option<TokenRecord>> {
    let token = state.store.tokens.token(workspace, value).await?;
    Ok(token.filter(|t| t.is_active(state.now())).map(|t| t.token))
}

/// Revokes a token of `client` (RFC 7009 §2.1): a refresh token takes its whole family with
/// it, access tokens included; an access token goes alone. Unknown tokens and other clients'
/// tokens change nothing, and the caller answers 200 all the same (§2.2).
pub async fn revoke(state: &AppState, client: &Client, value: &str) -> Result<()> {
    let Some(standing) = state.store.tokens.token(&client.workspace, value).await? else {
        return Ok(());
    };
    let token = standing.token;
    if token.client_id != client.client_id {
        return Ok(());
    }
    revoke_record(state, value, &token).await
}

/// Revokes a token whoever it belongs to (the operator's `oauth-admin token revoke`).
pub async fn revoke_record(state: &AppState, value: &str, token: &TokenRecord) -> Result<()> {
    let tokens = &state.store.tokens;
    match (token.kind, &token.grant_id) {
        (TokenKind::Refresh, Some(grant_id)) => {
            let keep_marker_until = token.family_expires_at.unwrap_or(token.expires_at);
            tokens
                .revoke_family(&token.workspace, grant_id, keep_marker_until)
                .await?
        }
        _ => tokens.delete_token(&token.workspace, value).await?,
    }
    Ok(())
}
