//! Issued tokens as stored, the families they belong to, and when a token is active.

use super::client::Client;
use super::scope::Scopes;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Access, Self::Refresh]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// An issued token as stored (under the digest of its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub kind: TokenKind,
    pub workspace: String,
    pub client_id: String,
    pub username: Option<String>,
    pub sub: Option<String>,
    pub scope: Scopes,
    /// Family of tokens from one authorization; `None` for client_credentials and implicit.
    pub grant_id: Option<String>,
    pub issued_at: u64,
    pub expires_at: u64,
    /// Refresh tokens: when this token was exchanged for a new one.
    pub rotated_at: Option<u64>,
    /// Refresh tokens: the absolute end of the family.
    pub family_expires_at: Option<u64>,
    /// Refresh tokens: the one retry the grace window allows after rotation has been used.
    pub grace_used: bool,
    /// Refresh tokens: the storage keys of the tokens this one was exchanged for, which a
    /// grace retry retires (a family never forks into two live branches).
    pub successors: Vec<String>,
    /// The user's generation when the token was issued (0 without a user).
    pub user_generation: u64,
    /// The client's generation when the token was issued.
    pub client_generation: u64,
    /// The resources the token is for (RFC 8707 `aud`).
    pub audience: Vec<String>,
    /// The record of a JWT access token, stored under its `jti`: found only through a JWT
    /// that verifies, never by presenting the `jti` as a token.
    pub jwt: bool,
}

impl TokenRecord {
    /// Whether the token itself may be used at `now`: not expired (whatever TTL has not
    /// deleted yet), within its family's life, and, for a refresh token, not rotated.
    pub fn is_active(&self, now: u64) -> bool {
        self.expires_at > now
            && self.family_expires_at.is_none_or(|f| f > now)
            && !(self.kind == TokenKind::Refresh && self.rotated_at.is_some())
    }
}

/// A token with everything its standing depends on, read with it in one round trip: the
/// family's revocation marker, the subject's generation, the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenStanding {
    pub token: TokenRecord,
    /// The family's marker: `None` for a token without a family; `Some(true)` when it is
    /// revoked or gone (a marker outlives every token of its family, so gone means revoked).
    pub family_revoked: Option<bool>,
    /// The subject's current generation, for a token with a subject.
    pub subject_generation: Option<u64>,
    /// The client the token was issued to, as it is now (`None`: deleted).
    pub client: Option<Arc<Client>>,
}

/// Whether `caller` may learn about `token` at the introspection endpoint (RFC 7662 §4): its
/// own tokens, and the access tokens whose audience it serves (a refresh token is for the
/// authorization server alone, RFC 6749 §1.5, never for a resource server).
pub fn may_introspect(caller: &Client, token: &TokenRecord) -> bool {
    let serves = || {
        token.kind == TokenKind::Access
            && token
                .audience
                .iter()
                .any(|a| caller.policy.serves.contains(a))
    };
    token.workspace == caller.workspace && (token.client_id == caller.client_id || serves())
}

impl TokenStanding {
    /// Revocation is authoritative: a token is active only if it is itself, its family is not
    /// revoked, its user's and its client's tokens have not been revoked since it was issued,
    /// and its client still exists.
    pub fn is_active(&self, now: u64) -> bool {
        self.token.is_active(now) && !self.is_revoked()
    }

    /// Whether the token was revoked with its family, its user or its client (or the client
    /// is gone), whatever the token's own item says.
    pub fn is_revoked(&self) -> bool {
        let t = &self.token;
        self.family_revoked == Some(true)
            || (t.sub.is_some() && self.subject_generation != Some(t.user_generation))
            || !self
                .client
                .as_ref()
                .is_some_and(|c| c.client_id == t.client_id && c.generation == t.client_generation)
    }
}

/// The tokens of one authorization (a code or a password grant) and its refresh rotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantFamily {
    pub workspace: String,
    pub grant_id: String,
    /// Absolute end of the family; also the grant item's TTL.
    pub expires_at: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(kind: TokenKind) -> TokenRecord {
        TokenRecord {
            kind,
            workspace: "w".into(),
            client_id: "c".into(),
            username: None,
            sub: None,
            scope: Scopes::default(),
            grant_id: None,
            issued_at: 0,
            expires_at: 100,
            rotated_at: None,
            family_expires_at: Some(200),
            grace_used: false,
            successors: vec![],
            user_generation: 2,
            client_generation: 7,
            audience: vec!["https://api".into()],
            jwt: false,
        }
    }

    #[test]
    fn introspection_is_for_the_token_s_client_and_its_audience() {
        let mut caller = Client {
            workspace: "w".into(),
            ..Client::example()
        };
        let mut t = token(TokenKind::Access);
        assert!(may_introspect(&caller, &t), "its own token");
        t.client_id = "other".into();
        assert!(!may_introspect(&caller, &t), "another client's");
        caller.policy.serves = vec!["https://api".into()];
        assert!(may_introspect(&caller, &t), "one whose audience it serves");
        let refresh = TokenRecord {
            kind: TokenKind::Refresh,
            ..t.clone()
        };
        assert!(!may_introspect(&caller, &refresh), "never a refresh token");
        t.workspace = "v".into();
        assert!(!may_introspect(&caller, &t), "another workspace's");
        t.workspace = "w".into();
        t.audience = vec!["https://elsewhere".into()];
        assert!(!may_introspect(&caller, &t));
    }

    fn standing() -> TokenStanding {
        TokenStanding {
            token: TokenRecord {
                sub: Some("s".into()),
                ..token(TokenKind::Access)
            },
            family_revoked: Some(false),
            subject_generation: Some(2),
            client: Some(Arc::new(Client {
                client_id: "c".into(),
                generation: 7,
                ..Client::example()
            })),
        }
    }

    #[test]
    fn standing_decides_revocation() {
        assert!(standing().is_active(1));
        type Case = (&'static str, fn(&mut TokenStanding));
        let cases: [Case; 6] = [
            ("family revoked", |s| s.family_revoked = Some(true)),
            ("user revoked since", |s| s.subject_generation = Some(3)),
            ("subject marker unread", |s| s.subject_generation = None),
            ("client deleted", |s| s.client = None),
            ("client's tokens revoked since", |s| {
                s.client = Some(Arc::new(Client {
                    client_id: "c".into(),
                    generation: 8,
                    ..Client::example()
                }))
            }),
            ("expired", |s| s.token.expires_at = 1),
        ];
        for (name, change) in cases {
            let mut s = standing();
            change(&mut s);
            assert!(!s.is_active(1), "{name}");
        }
        let mut no_user = standing();
        no_user.token.sub = None;
        no_user.subject_generation = None;
        assert!(
            no_user.is_active(1),
            "client_credentials: no subject to check"
        );
    }

    #[test]
    fn activity() {
        assert!(token(TokenKind::Access).is_active(99));
        assert!(!token(TokenKind::Access).is_active(100), "expired");
        let family_over = TokenRecord {
            family_expires_at: Some(50),
            ..token(TokenKind::Refresh)
        };
        assert!(!family_over.is_active(60));
        let rotated = TokenRecord {
            rotated_at: Some(1),
            ..token(TokenKind::Refresh)
        };
        assert!(!rotated.is_active(2), "a rotated refresh token is spent");
    }
}
