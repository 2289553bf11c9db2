//! The token endpoint's grants. DynamoDB round trips per grant (cold client cache / warm):
//! client_credentials 2 / 1 (client read, token put); authorization_code, refresh_token and
//! password 2 / 2 (the client and the code, token or user in one batch read, then one
//! transaction); a failed password adds the lockout counter's write.

use super::{clients, login};
use crate::config::{now, AppState};
use crate::crypto;
use crate::protocol::client_auth;
use crate::protocol::error::{Error, OAuthError};
use crate::protocol::form::Form;
use crate::protocol::grants::{self, CodeVerdict, GrantRequest, RefreshVerdict};
use crate::protocol::model::{Client, CodeGrant, GrantType, Owner, TokenKind, TokenRecord, User};
use crate::protocol::scope::Scopes;
use crate::storage::{GrantFamily, Rotation, StoreError};
use serde::Serialize;

/// RFC 6749 §5.1. `refresh_token` is always present (`null` when none is issued), as seed 000
/// requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Tokens minted for one response, with their records (values are never stored).
struct Minted {
    access: (String, TokenRecord),
    refresh: Option<(String, TokenRecord)>,
}

impl Minted {
    fn new(
        state: &AppState,
        client: &Client,
        owner: Option<&Owner>,
        scope: Scopes,
        family: Option<&GrantFamily>,
        now: u64,
    ) -> Self {
        let s = &state.settings;
        let record = |kind, expires_at| TokenRecord {
            kind,
            workspace: client.workspace.clone(),
            client_id: client.client_id.clone(),
            username: owner.map(|o| o.username.clone()),
            sub: owner.map(|o| o.sub.clone()),
            scope: scope.clone(),
            grant_id: family.map(|f| f.grant_id.clone()),
            issued_at: now,
            expires_at,
            rotated_at: None,
            family_expires_at: None,
            grace_used: false,
        };
        let access_ttl = client.access_token_ttl.unwrap_or(s.access_token_ttl);
        let access = (
            crypto::new_secret(),
            record(TokenKind::Access, now + access_ttl),
        );
        let refresh = family
            .filter(|_| client.allows(GrantType::RefreshToken))
            .map(|f| {
                let ttl = client.refresh_token_ttl.unwrap_or(s.refresh_token_ttl);
                let mut r = record(TokenKind::Refresh, (now + ttl).min(f.expires_at));
                r.family_expires_at = Some(f.expires_at);
                (crypto::new_secret(), r)
            });
        Self { access, refresh }
    }

    fn records(&self) -> Vec<(&str, &TokenRecord)> {
        std::iter::once(&self.access)
            .chain(self.refresh.as_ref())
            .map(|(v, r)| (v.as_str(), r))
            .collect()
    }

    fn into_response(self, now: u64) -> TokenResponse {
        let (access, record) = self.access;
        TokenResponse {
            access_token: access,
            token_type: "Bearer",
            expires_in: record.expires_at.saturating_sub(now),
            refresh_token: self.refresh.map(|(v, _)| v),
            scope: Some(record.scope.to_wire()).filter(|s| !s.is_empty()),
        }
    }
}

/// Handles one token request for `workspace`, after the HTTP edge has parsed it.
pub async fn token(
    state: &AppState,
    workspace: &str,
    authorization: Option<&str>,
    form: &Form,
) -> Result<TokenResponse, Error> {
    let grant = GrantRequest::parse(form)?;
    let presented = client_auth::presented(authorization, form)?;
    let ws = workspace;
    let id = presented.client_id.as_str();
    // Each grant reads its client together with the item it is about: one round trip.
    match grant {
        GrantRequest::ClientCredentials { scope } => {
            let client = clients::authenticate_presented(state, ws, &presented).await?;
            grants::ensure_client_allows(&client, GrantType::ClientCredentials)?;
            client_credentials(state, &client, scope.as_deref()).await
        }
        GrantRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            let (client, stored) = clients::authenticate_with(
                state,
                ws,
                &presented,
                || state.store.code(ws, &code),
                || state.store.client_and_code(ws, id, &code),
            )
            .await?;
            grants::ensure_client_allows(&client, GrantType::AuthorizationCode)?;
            let pkce = (redirect_uri.as_deref(), code_verifier.as_deref());
            authorization_code(state, &client, stored, &code, pkce).await
        }
        GrantRequest::RefreshToken {
            refresh_token,
            scope,
        } => {
            let (client, stored) = clients::authenticate_with(
                state,
                ws,
                &presented,
                || state.store.token(ws, &refresh_token),
                || state.store.client_and_token(ws, id, &refresh_token),
            )
            .await?;
            grants::ensure_client_allows(&client, GrantType::RefreshToken)?;
            refresh(state, &client, stored, &refresh_token, scope.as_deref()).await
        }
        GrantRequest::Password {
            username,
            password,
            scope,
        } => {
            let (client, user) = clients::authenticate_with(
                state,
                ws,
                &presented,
                || state.store.user(ws, &username),
                || state.store.client_and_user(ws, id, &username),
            )
            .await?;
            grants::ensure_client_allows(&client, GrantType::Password)?;
            password_grant(state, &client, user, &password, scope.as_deref()).await
        }
    }
}

async fn client_credentials(
    state: &AppState,
    client: &Client,
    scope: Option<&str>,
) -> Result<TokenResponse, Error> {
    let scope = Scopes::resolve(scope, &client.scopes)?;
    let now = now();
    let minted = Minted::new(state, client, None, scope, None, now);
    state
        .store
        .put_token(&minted.access.0, &minted.access.1)
        .await?;
    Ok(minted.into_response(now))
}

/// An implicit grant's access token (RFC 6749 §4.2.2): never a refresh token.
pub async fn issue_implicit(
    state: &AppState,
    client: &Client,
    owner: &Owner,
    scope: Scopes,
) -> Result<TokenResponse, Error> {
    let now = now();
    let minted = Minted::new(state, client, Some(owner), scope, None, now);
    state
        .store
        .put_token(&minted.access.0, &minted.access.1)
        .await?;
    Ok(minted.into_response(now))
}

fn new_family(state: &AppState, client: &Client, grant_id: String, now: u64) -> GrantFamily {
    GrantFamily {
        workspace: client.workspace.clone(),
        grant_id,
        expires_at: now + state.settings.refresh_family_ttl,
    }
}

/// `stored`: the code's record, read with the client; `(redirect_uri, code_verifier)` as sent.
async fn authorization_code(
    state: &AppState,
    client: &Client,
    stored: Option<CodeGrant>,
    code_value: &str,
    (redirect_uri, verifier): (Option<&str>, Option<&str>),
) -> Result<TokenResponse, Error> {
    let invalid = || {
        OAuthError::invalid_grant(
            "the authorization code is invalid, expired, or was issued to another client",
        )
    };
    let now = now();
    let code = stored.ok_or_else(invalid)?;
    match grants::check_code(&code, client, redirect_uri, verifier, now)? {
        CodeVerdict::Reused => revoke_reused_code(state, client, &code.grant_id, now).await,
        CodeVerdict::Redeem => {
            let family = new_family(state, client, code.grant_id.clone(), now);
            let owner = Owner {
                username: code.username.clone(),
                sub: code.sub.clone(),
            };
            let minted = Minted::new(
                state,
                client,
                Some(&owner),
                code.scope.clone(),
                Some(&family),
                now,
            );
            match state
                .store
                .redeem_code(code_value, now, &family, &minted.records())
                .await
            {
                Ok(()) => Ok(minted.into_response(now)),
                // Another redemption won the race: this one is a second use of the code.
                Err(StoreError::ConditionFailed) => {
                    revoke_reused_code(state, client, &code.grant_id, now).await
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// RFC 6749 §4.1.2: a code used twice is refused and what was issued from it revoked.
async fn revoke_reused_code(
    state: &AppState,
    client: &Client,
    grant_id: &str,
    now: u64,
) -> Result<TokenResponse, Error> {
    let until = now + state.settings.refresh_family_ttl;
    state
        .store
        .revoke_family(&client.workspace, grant_id, until)
        .await?;
    tracing::warn!(workspace = %client.workspace, client_id = %client.client_id, "authorization code used twice; its tokens are revoked");
    Err(OAuthError::invalid_grant(
        "the authorization code was already used; every token issued from it is revoked",
    )
    .into())
}

async fn refresh(
    state: &AppState,
    client: &Client,
    stored: Option<TokenRecord>,
    value: &str,
    scope: Option<&str>,
) -> Result<TokenResponse, Error> {
    let invalid = || {
        OAuthError::invalid_grant(
            "the refresh token is invalid, expired, revoked, or was issued to another client",
        )
    };
    let now = now();
    let token = stored.ok_or_else(invalid)?;
    let verdict = grants::check_refresh(&token, client, scope, now)?;
    let (Some(grant_id), Some(family_expires_at)) =
        (token.grant_id.clone(), token.family_expires_at)
    else {
        return Err(invalid().into());
    };
    let (scope, rotation) = match verdict {
        RefreshVerdict::Reused => {
            let family = GrantFamily {
                workspace: client.workspace.clone(),
                grant_id,
                expires_at: family_expires_at,
            };
            return revoke_reused_refresh(state, client, &family).await;
        }
        RefreshVerdict::Rotate { scope } => (scope, Rotation::Fresh),
        RefreshVerdict::GraceRetry { scope, rotated_at } => {
            (scope, Rotation::GraceRetry { rotated_at })
        }
    };
    let family = GrantFamily {
        workspace: client.workspace.clone(),
        grant_id,
        expires_at: family_expires_at,
    };
    let owner = token
        .username
        .clone()
        .zip(token.sub.clone())
        .map(|(username, sub)| Owner { username, sub });
    let mut minted = Minted::new(state, client, owner.as_ref(), scope, Some(&family), now);
    // RFC 6749 §6: a narrowed request narrows the access token; the new refresh token keeps
    // the scope of the one it replaces.
    if let Some((_, r)) = minted.refresh.as_mut() {
        r.scope = token.scope.clone();
    }
    match state
        .store
        .rotate_refresh(
            &client.workspace,
            value,
            &family.grant_id,
            rotation,
            now,
            &minted.records(),
        )
        .await
    {
        Ok(()) => Ok(minted.into_response(now)),
        // Rotated (or its grace retry spent) by a request that won the race, or the family
        // was revoked meanwhile: a second use of this token, treated as reuse.
        Err(StoreError::ConditionFailed) => revoke_reused_refresh(state, client, &family).await,
        Err(e) => Err(e.into()),
    }
}

/// RFC 9700 §4.14.2: a refresh token used again revokes its whole family.
async fn revoke_reused_refresh(
    state: &AppState,
    client: &Client,
    family: &GrantFamily,
) -> Result<TokenResponse, Error> {
    state
        .store
        .revoke_family(&client.workspace, &family.grant_id, family.expires_at)
        .await?;
    tracing::warn!(workspace = %client.workspace, client_id = %client.client_id, "refresh token reused; its family is revoked");
    Err(OAuthError::invalid_grant(
        "the refresh token was already used; every token of its grant is revoked",
    )
    .into())
}

async fn password_grant(
    state: &AppState,
    client: &Client,
    user: Option<User>,
    password: &str,
    scope: Option<&str>,
) -> Result<TokenResponse, Error> {
    let scope = Scopes::resolve(scope, &client.scopes)?;
    let Some(user) = login::check_password(state, user, password).await? else {
        return Err(OAuthError::invalid_grant(
            "invalid username or password, or the account is temporarily locked",
        )
        .into());
    };
    let now = now();
    let owner = Owner {
        username: user.username,
        sub: user.sub,
    };
    let family = new_family(state, client, crypto::new_secret(), now);
    let minted = Minted::new(state, client, Some(&owner), scope, Some(&family), now);
    match state
        .store
        .start_family(&family, &minted.records(), (&owner.username, now))
        .await
    {
        Ok(()) => Ok(minted.into_response(now)),
        // Failures that raced this login locked the account in the meantime.
        Err(StoreError::ConditionFailed) => Err(OAuthError::invalid_grant(
            "invalid username or password, or the account is temporarily locked",
        )
        .into()),
        Err(e) => Err(e.into()),
    }
}
