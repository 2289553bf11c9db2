//! Token lifecycle after issuance: is a token active (introspection, UserInfo, the API
//! Gateway authorizer), and revocation (RFC 7009), for opaque tokens and our access JWTs alike.
//! An access JWT counts only for the workspace whose issuer it names.

use super::Result;
use crate::config::AppState;
use crate::protocol::client::Client;
use crate::protocol::jwt::{self, AccessJwt};
use crate::protocol::token_record::{TokenKind, TokenRecord, TokenStanding};

/// The token's record if it is active now: itself unexpired, and neither it, its family, its
/// user nor its client revoked (see `TokenStanding::is_active`), read in one round trip. An
/// access JWT must verify with our published keys and name `issuer`, the workspace's; the
/// `jti` of a JWT is not a token.
pub async fn active(
    state: &AppState,
    workspace: &str,
    issuer: &str,
    value: &str,
) -> Result<Option<TokenRecord>> {
    let now = state.now();
    if let Some(jwt) = own_access_jwt(state, workspace, issuer, value).await? {
        return jwt_standing(state, workspace, &jwt, now).await;
    }
    let token = state.store.tokens.token(workspace, value).await?;
    Ok(token
        .filter(|t| !t.token.jwt && t.is_active(now))
        .map(|t| t.token))
}

/// Whether `value` has a compact JWS's three parts (our opaque values have four, so a value of
/// this shape that is not one of our JWTs is no token of ours at all).
pub(crate) fn looks_like_jws(value: &str) -> bool {
    value.split('.').count() == 3
}

/// `value` as one of our access JWTs: shaped as a JWS (our opaque values have four parts),
/// signed with a key we publish, typed `at+jwt`, for `issuer`.
pub(crate) async fn own_access_jwt(
    state: &AppState,
    workspace: &str,
    issuer: &str,
    value: &str,
) -> Result<Option<AccessJwt>> {
    if !looks_like_jws(value) {
        return Ok(None);
    }
    let keys = &*state.store.keys;
    let Some(verified) = state.keys.verify(keys, value, state.now()).await? else {
        return Ok(None);
    };
    Ok(jwt::read_access(
        &verified.header,
        &verified.payload,
        issuer,
        workspace,
    ))
}

/// A user's access JWT stands while its record does (stored under its `jti`, with its family,
/// user and client checked as for any token); a client's own (client credentials) has no
/// record: it stands while its client's generation is the one it names and nothing was
/// written under its `jti` (a revocation).
async fn jwt_standing(
    state: &AppState,
    workspace: &str,
    jwt: &AccessJwt,
    now: u64,
) -> Result<Option<TokenRecord>> {
    if jwt.record.sub.is_some() {
        let standing = state.store.tokens.token(workspace, &jwt.jti).await?;
        return Ok(standing
            .filter(|s| s.token.jwt && s.is_active(now))
            .map(|s| s.token));
    }
    // The client as it is now, not as a warm function's cache remembers it: an operator's
    // `revoke-tokens` or deletion ends its JWTs at once.
    let (client, revoked) = state
        .store
        .tokens
        .client_now_and_token(workspace, &jwt.record.client_id, &jwt.jti)
        .await?;
    let standing = TokenStanding {
        token: jwt.record.clone(),
        family_revoked: None,
        subject_generation: None,
        client,
    };
    Ok((revoked.is_none() && standing.is_active(now)).then(|| jwt.record.clone()))
}

/// Revokes a token of `client` (RFC 7009 §2.1): a refresh token takes its whole family with
/// it, access tokens included; an access token goes alone. Unknown tokens and other clients'
/// tokens change nothing, and the caller answers 200 all the same (§2.2).
pub async fn revoke(state: &AppState, client: &Client, issuer: &str, value: &str) -> Result<()> {
    let ws = &client.workspace;
    if let Some(jwt) = own_access_jwt(state, ws, issuer, value).await? {
        if jwt.record.client_id == client.client_id {
            revoke_jwt(state, &jwt).await?;
        }
        return Ok(());
    }
    let Some(standing) = state.store.tokens.token(ws, value).await? else {
        return Ok(());
    };
    let token = standing.token;
    if token.client_id != client.client_id || token.jwt {
        return Ok(());
    }
    revoke_record(state, value, &token).await
}

/// An access JWT's revocation: its record deleted, or for one without a record, a record
/// written under its `jti` until it expires (what [`active`] reads as revoked).
pub async fn revoke_jwt(state: &AppState, jwt: &AccessJwt) -> Result<()> {
    let tokens = &state.store.tokens;
    if jwt.record.sub.is_some() {
        tokens.delete_token(&jwt.record.workspace, &jwt.jti).await?;
    } else {
        tokens.put_token(&jwt.jti, &jwt.record).await?;
    }
    Ok(())
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
