//! Minting tokens: fresh values, their records, and the token response (RFC 6749 §5.1).
//! Access tokens are opaque values or, for clients that ask for them, JWTs (RFC 9068) signed
//! with the current RS256 key; ID tokens (OpenID Connect) are signed with the client's choice.

use super::Result;
use crate::config::AppState;
use crate::crypto;
use crate::jose::Alg;
use crate::protocol::client::{Client, GrantType, TokenFormat};
use crate::protocol::jwt::{self, IdToken};
use crate::protocol::scope::Scopes;
use crate::protocol::token_record::{GrantFamily, TokenKind, TokenRecord};
use crate::protocol::token_value::TokenName;
use crate::protocol::user::Owner;
use crate::store::NewToken;
use serde::Serialize;

/// RFC 6749 §5.1, with OpenID Connect's `id_token` (Core §3.1.3.3); the HTTP edge adds seed
/// 000's `"refresh_token": null` on its path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// One minted token: the value the client gets, the value its record is stored under (the
/// value itself, a JWT's `jti`, or nothing for a JWT with no record), and the record.
pub(super) struct MintedToken {
    pub(super) value: String,
    stored_as: Option<String>,
    pub(super) record: TokenRecord,
}

/// Tokens minted for one response, with their records (values are never stored).
pub(super) struct Minted {
    pub(super) access: MintedToken,
    pub(super) refresh: Option<MintedToken>,
}

/// What every minting needs beside the grant: the state, and the issuer (a JWT's `iss`).
#[derive(Clone, Copy)]
pub(crate) struct Issuer<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) url: &'a str,
}

impl Minted {
    /// An access token, and a refresh token when there is a family and the client may
    /// refresh, for `audience` (RFC 8707).
    pub(super) async fn new(
        at: Issuer<'_>,
        client: &Client,
        owner: Option<&Owner>,
        (scope, audience): (Scopes, Vec<String>),
        family: Option<&GrantFamily>,
    ) -> Result<Self> {
        let (state, now) = (at.state, at.state.now());
        let s = &state.settings;
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
            audience: audience.clone(),
            jwt: false,
        };
        let access_ttl = client.policy.access_token_ttl.unwrap_or(s.access_token_ttl);
        let mut access_record = record(TokenKind::Access, now + access_ttl);
        let access = match client.policy.access_token_format {
            TokenFormat::Opaque => {
                let value = mint();
                MintedToken {
                    stored_as: Some(value.clone()),
                    value,
                    record: access_record,
                }
            }
            TokenFormat::Jwt => {
                access_record.jwt = true;
                let jti = mint();
                let claims = jwt::access_claims(at.url, &jti, &access_record);
                let signers = state.keys.signers(&*state.store.keys, now).await?;
                let value = signers
                    .require(Alg::RS256, now)?
                    .sign_jwt(jwt::ACCESS_TOKEN_TYP, &claims)
                    .map_err(super::keys::KeyError::from)?;
                // A user's JWT keeps a record (its family and user can end it, and
                // introspection and revocation find it by `jti`); a client's own token is
                // checked against the client alone, and costs no write.
                MintedToken {
                    stored_as: owner.map(|_| jti),
                    value,
                    record: access_record,
                }
            }
        };
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
                let value = mint();
                MintedToken {
                    stored_as: Some(value.clone()),
                    value,
                    record: r,
                }
            });
        Ok(Self { access, refresh })
    }

    /// What is stored: every token with a record, under the value it is stored as.
    pub(super) fn records(&self) -> Vec<NewToken<'_>> {
        std::iter::once(&self.access)
            .chain(self.refresh.as_ref())
            .filter_map(|t| t.stored_as.as_deref().map(|v| (v, &t.record)))
            .collect()
    }

    pub(super) fn into_response(self, now: u64) -> TokenResponse {
        let MintedToken { value, record, .. } = self.access;
        TokenResponse {
            access_token: value,
            token_type: "Bearer",
            expires_in: record.expires_at.saturating_sub(now),
            refresh_token: self.refresh.map(|t| t.value),
            scope: Some(record.scope.to_wire()).filter(|s| !s.is_empty()),
            id_token: None,
        }
    }
}

/// An ID token for `client`, signed with the algorithm it registered
/// (`id_token_signed_response_alg`), living as long as its access tokens do.
pub(crate) async fn id_token(at: Issuer<'_>, client: &Client, t: IdToken<'_>) -> Result<String> {
    let (state, now) = (at.state, at.state.now());
    let signers = state.keys.signers(&*state.store.keys, now).await?;
    let alg = client.policy.id_token_alg();
    let signed = signers
        .require(alg, now)?
        .sign_jwt(jwt::ID_TOKEN_TYP, &jwt::id_token_claims(&t))
        .map_err(super::keys::KeyError::from)?;
    Ok(signed)
}

/// How long an ID token lives: as long as the client's access tokens.
pub(crate) fn id_token_ttl(state: &AppState, client: &Client) -> u64 {
    client
        .policy
        .access_token_ttl
        .unwrap_or(state.settings.access_token_ttl)
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
/// (RFC 6749 §4.4.3) and implicit (§4.2.2). A client's own JWT is not stored at all.
pub(super) async fn issue_access_token(
    at: Issuer<'_>,
    client: &Client,
    owner: Option<&Owner>,
    grant: (Scopes, Vec<String>),
) -> Result<TokenResponse> {
    let minted = Minted::new(at, client, owner, grant, None).await?;
    for (value, record) in minted.records() {
        at.state.store.tokens.put_token(value, record).await?;
    }
    Ok(minted.into_response(at.state.now()))
}
