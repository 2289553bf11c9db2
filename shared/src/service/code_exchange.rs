//! The authorization code grant (RFC 6749 §4.1.3, RFC 7636): redeem a code once, and revoke
//! what it issued when it comes back.

use super::issuance::{self, new_family, Issuer, Minted, TokenResponse};
use super::Result;
use crate::config::AppState;
use crate::protocol::client::{Client, GrantType};
use crate::protocol::client_auth::{self, Presented};
use crate::protocol::code_grant::{self, CodeGrant, CodeVerdict};
use crate::protocol::error::OAuthError;
use crate::protocol::jwt::IdToken;
use crate::protocol::resource;
use crate::protocol::user::Owner;
use crate::store::StoreError;

/// `(redirect_uri, code_verifier)` as the token request sent them.
pub(super) async fn exchange(
    at: Issuer<'_>,
    workspace: &str,
    presented: &Presented,
    code_value: &str,
    (redirect_uri, verifier): (Option<&str>, Option<&str>),
    resource: Option<&str>,
) -> Result<TokenResponse> {
    let state = at.state;
    let (client, code) = state
        .store
        .clients
        .client_and_code(workspace, &presented.client_id, code_value)
        .await?;
    let client = client_auth::authenticate(presented, client, state.now())?;
    client.ensure_allows(GrantType::AuthorizationCode)?;
    let code = code.ok_or_else(OAuthError::invalid_code)?;
    let now = state.now();
    match code_grant::check_code(&code, &client, redirect_uri, verifier, now)? {
        CodeVerdict::Reused => revoke_reused(state, &client, &code).await,
        CodeVerdict::Redeem => {
            let audience = resource::narrow(resource, &code.audience)?;
            redeem(at, &client, &code, code_value, audience).await
        }
    }
}

async fn redeem(
    at: Issuer<'_>,
    client: &Client,
    code: &CodeGrant,
    code_value: &str,
    audience: Vec<String>,
) -> Result<TokenResponse> {
    let state = at.state;
    let family = new_family(state, client, code.grant_id.clone());
    let owner = Owner {
        username: code.username.clone(),
        sub: code.sub.clone(),
        generation: code.user_generation,
    };
    let grant = (code.scope.clone(), audience);
    let minted = Minted::new(at, client, Some(&owner), grant, Some(&family)).await?;
    let now = state.now();
    // OpenID Connect Core §3.1.3.3: an ID token when the user was asked for `openid`.
    let id_token = if code.scope.iter().any(|s| s == "openid") {
        let t = IdToken {
            issuer: at.url,
            client_id: &client.client_id,
            sub: &code.sub,
            auth_time: code.auth_time,
            nonce: code.nonce.as_deref(),
            issued_at: now,
            expires_at: now + issuance::id_token_ttl(state, client),
            access_token: Some(&minted.access.value),
            claims: Default::default(),
        };
        Some(issuance::id_token(at, client, t).await?)
    } else {
        None
    };
    let redeemed = state
        .store
        .codes
        .redeem_code(code_value, now, &family, &minted.records())
        .await;
    match redeemed {
        Ok(()) => {
            let mut response = minted.into_response(now);
            response.id_token = id_token;
            Ok(response)
        }
        // Another redemption won the race: this one is a second use of the code.
        Err(StoreError::ConditionFailed) => revoke_reused(state, client, code).await,
        Err(e) => Err(e.into()),
    }
}

/// RFC 6749 §4.1.2: a code used twice is refused and what was issued from it revoked.
async fn revoke_reused(
    state: &AppState,
    client: &Client,
    code: &CodeGrant,
) -> Result<TokenResponse> {
    let until = state.now() + state.settings.refresh_family_ttl;
    state
        .store
        .tokens
        .revoke_family(&client.workspace, &code.grant_id, until)
        .await?;
    tracing::warn!(workspace = %client.workspace, client_id = %client.client_id, "authorization code used twice; its tokens are revoked");
    Err(OAuthError::invalid_grant(
        "the authorization code was already used; every token issued from it is revoked",
    )
    .into())
}
