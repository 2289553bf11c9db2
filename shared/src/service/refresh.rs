//! The refresh token grant (RFC 6749 §6, RFC 9700 §4.14): rotate on every use, unless a
//! confidential client keeps its token; a rotated token presented again revokes its family.

use super::issuance::{Issuer, Minted, TokenResponse};
use super::Result;
use crate::config::AppState;
use crate::protocol::client::{Client, GrantType};
use crate::protocol::client_auth::{self, Presented};
use crate::protocol::error::OAuthError;
use crate::protocol::refresh_grant::{self, RefreshVerdict};
use crate::protocol::resource;
use crate::protocol::scope::Scopes;
use crate::protocol::token_record::{GrantFamily, TokenRecord};
use crate::protocol::user::Owner;
use crate::store::{Rotation, StoreError};

pub(super) async fn refresh(
    at: Issuer<'_>,
    workspace: &str,
    presented: &Presented,
    value: &str,
    (scope, resource): (Option<&str>, Option<&str>),
) -> Result<TokenResponse> {
    let state = at.state;
    let (client, token) = state
        .store
        .clients
        .client_and_token(workspace, &presented.client_id, value)
        .await?;
    let client = client_auth::authenticate(presented, client, state.now())?;
    client.ensure_allows(GrantType::RefreshToken)?;
    // A token revoked with its family, its user or its client is just invalid, as are
    // tokens this server did not issue.
    let token = match token {
        Some(standing) if !standing.is_revoked() => standing.token,
        _ => return Err(OAuthError::invalid_refresh_token().into()),
    };
    let verdict = refresh_grant::check_refresh(&token, &client, scope, state.now())?;
    let family = family_of(&token).ok_or_else(OAuthError::invalid_refresh_token)?;
    let (scope, rotation) = match verdict {
        RefreshVerdict::Reused => return revoke_family(state, &client, &family).await,
        RefreshVerdict::Rotate { scope } => (scope, Rotation::Fresh),
        RefreshVerdict::Keep { scope } => (scope, Rotation::Kept),
        RefreshVerdict::GraceRetry { scope, rotated_at } => {
            let successors = token.successors.clone();
            (
                scope,
                Rotation::GraceRetry {
                    rotated_at,
                    successors,
                },
            )
        }
    };
    // RFC 8707 §2.2: a refresh may narrow the audience to one of the grant's resources, and
    // keeps only those the client is still registered for.
    let p = &client.policy;
    let still: Vec<String> = token
        .audience
        .iter()
        .filter(|a| p.audience.contains(a) || p.resources.contains(a))
        .cloned()
        .collect();
    let audience = resource::narrow(resource, &still)?;
    let grant = (scope, audience, still);
    rotate(at, &client, (&token, value), &family, grant, rotation).await
}

fn family_of(token: &TokenRecord) -> Option<GrantFamily> {
    Some(GrantFamily {
        workspace: token.workspace.clone(),
        grant_id: token.grant_id.clone()?,
        expires_at: token.family_expires_at?,
    })
}

async fn rotate(
    at: Issuer<'_>,
    client: &Client,
    (token, value): (&TokenRecord, &str),
    family: &GrantFamily,
    (scope, audience, still): (Scopes, Vec<String>, Vec<String>),
    rotation: Rotation,
) -> Result<TokenResponse> {
    let state = at.state;
    let grant = (scope, audience);
    let owner = token
        .username
        .clone()
        .zip(token.sub.clone())
        .map(|(username, sub)| Owner {
            username,
            sub,
            generation: token.user_generation,
        });
    let mut minted = Minted::new(at, client, owner.as_ref(), grant, Some(family)).await?;
    let kept = rotation == Rotation::Kept;
    if kept {
        minted.refresh = None;
    }
    // §6: a narrowed request narrows the access token; the new refresh token keeps the scope
    // of the one it replaces, less what the client may no longer have.
    if let Some(r) = minted.refresh.as_mut() {
        r.record.scope = token.scope.intersection(&client.scopes);
        // ...and the grant's whole audience (as far as the client still has it), whatever
        // this refresh narrowed to.
        r.record.audience = still;
    }
    let now = state.now();
    let rotated = state
        .store
        .tokens
        .rotate_refresh(
            &client.workspace,
            value,
            &family.grant_id,
            rotation,
            now,
            &minted.records(),
        )
        .await;
    match rotated {
        Ok(()) => {
            let mut response = minted.into_response(now);
            // §6 lets the client keep its token; it is answered again so that a client that
            // stores whatever `refresh_token` says (seed 000's schema requires the key) keeps
            // it rather than a null.
            if kept {
                response.refresh_token = Some(value.to_owned());
            }
            Ok(response)
        }
        // Rotated (or its grace retry spent) by a request that won the race, or the family
        // was revoked meanwhile: a second use of this token, treated as reuse.
        Err(StoreError::ConditionFailed) => revoke_family(state, client, family).await,
        Err(e) => Err(e.into()),
    }
}

/// RFC 9700 §4.14.2: a refresh token used again revokes its whole family.
async fn revoke_family(
    state: &AppState,
    client: &Client,
    family: &GrantFamily,
) -> Result<TokenResponse> {
    state
        .store
        .tokens
        .revoke_family(&client.workspace, &family.grant_id, family.expires_at)
        .await?;
    tracing::warn!(workspace = %client.workspace, client_id = %client.client_id, "refresh token reused; its family is revoked");
    Err(OAuthError::invalid_grant(
        "the refresh token was already used; every token of its grant is revoked",
    )
    .into())
}
