//! Issued tokens as stored, the families they belong to, and when a token is active.

use super::scope::Scopes;

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
}

impl TokenRecord {
    /// Whether the token may be used at `now`: not expired (whatever TTL has not deleted yet),
    /// within its family's life, and, for a refresh token, not rotated.
    pub fn is_active(&self, now: u64) -> bool {
        self.expires_at > now
            && self.family_expires_at.is_none_or(|f| f > now)
            && !(self.kind == TokenKind::Refresh && self.rotated_at.is_some())
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
        }
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
