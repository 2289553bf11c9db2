//! Minting tokens: fresh values, their records, and the token response (RFC 6749 §5.1).

use super::Result;
use crate::config::AppState;
use crate::crypto;
use crate::protocol::client::{Client, GrantType};
use crate::protocol::scope::Scopes;
use crate::protocol::token_record::{GrantFamily, TokenKind, TokenRecord};
use crate::protocol::token_value::TokenName;
use crate::protocol::user::Owner;
use crate::store::NewToken;
use serde::Serialize;

/// RFC 6749 §5.1 (the HTTP edge adds seed 000's `"refresh_token": null` on its path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Tokens minted for one response, with their records (values are never stored).
pub(super) struct Minted {
    pub(super) access: (String, TokenRecord),
    pub(super) refresh: Option<(String, TokenRecord)>,
}

impl Minted {
    /// An access token, and a refresh token when there is a family and the client may refresh.
    pub(super) fn new(
        state: &AppState,
        client: &Client,
        owner: Option<&Owner>,
        scope: Scopes,
        family: Option<&GrantFamily>,
    ) -> Self {
        let (s, now) = (&state.settings, state.now());
        // The value names what its standing depends on (`protocol::token_value`).
        let name = TokenName {
            client_id: client.client_id.clone(),
            sub: owner.map(|o| o.sub.clone()),
            grant_id: family.map(|f| f.grant_id.clone()),
        };
        let mint = || name.value(&crypto::new_secret());
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
            successors: vec![],
            user_generation: owner.map_or(0, |o| o.generation),
            client_generation: client.generation,
            audience: client.policy.audience.clone(),
        };
        let access_ttl = client.policy.access_token_ttl.unwrap_or(s.access_token_ttl);
        let access = (mint(), record(TokenKind::Access, now + access_ttl));
        let refresh = family
            .filter(|_| {
                client.allows(GrantType::RefreshToken)
                    && s.deployment.enables(GrantType::RefreshToken)
            })
            .map(|f| {
                let ttl = client
                    .policy
                    .refresh_token_ttl
                    .unwrap_or(s.refresh_token_ttl);
                let mut r = record(TokenKind::Refresh, (now + ttl).min(f.expires_at));
                r.family_expires_at = Some(f.expires_at);
                (mint(), r)
            });
        Self { access, refresh }
    }

    pub(super) fn records(&self) -> Vec<NewToken<'_>> {
        std::iter::once(&self.access)
            .chain(self.refresh.as_ref())
            .map(|(v, r)| (v.as_str(), r))
            .collect()
    }

    pub(super) fn into_response(self, now: u64) -> TokenResponse {
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

/// A new family for one authorization, ending `REFRESH_FAMILY_TTL` from now.
pub(super) fn new_family(state: &AppState, client: &Client, grant_id: String) -> GrantFamily {
    GrantFamily {
        workspace: client.workspace.clone(),
        grant_id,
        expires_at: state.now() + state.settings.refresh_family_ttl,
    }
}

/// An access token on its own, with no family and never a refresh token: client credentials
/// (RFC 6749 §4.4.3) and implicit (§4.2.2).
pub(super) async fn issue_access_token(
    state: &AppState,
    client: &Client,
    owner: Option<&Owner>,
    scope: Scopes,
) -> Result<TokenResponse> {
    let minted = Minted::new(state, client, owner, scope, None);
    let (value, record) = &minted.access;
    state.store.tokens.put_token(value, record).await?;
    Ok(minted.into_response(state.now()))
}
