//! The records the protocol reasons about: plain data, no I/O.

use super::pkce;
use super::scope::Scopes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GrantType {
    AuthorizationCode,
    Implicit,
    Password,
    ClientCredentials,
    RefreshToken,
}

impl GrantType {
    pub const ALL: [GrantType; 5] = [
        Self::AuthorizationCode,
        Self::Implicit,
        Self::Password,
        Self::ClientCredentials,
        Self::RefreshToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::Implicit => "implicit",
            Self::Password => "password",
            Self::ClientCredentials => "client_credentials",
            Self::RefreshToken => "refresh_token",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == raw)
    }
}

/// A registered client. `secret_digest` is `None` for public clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub workspace: String,
    pub client_id: String,
    pub name: String,
    pub secret_digest: Option<String>,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub scopes: Scopes,
    pub first_party: bool,
    pub allow_plain_pkce: bool,
    pub introspect: bool,
    pub access_token_ttl: Option<u64>,
    pub refresh_token_ttl: Option<u64>,
    pub refresh_grace: u64,
    pub created_at: u64,
}

impl Client {
    /// A confidential client with nothing registered, for unit tests to adjust.
    #[cfg(test)]
    pub(crate) fn example() -> Self {
        Self {
            workspace: "default".into(),
            client_id: "c".into(),
            name: "C".into(),
            secret_digest: Some("d".into()),
            redirect_uris: vec![],
            grant_types: vec![],
            scopes: Scopes::default(),
            first_party: false,
            allow_plain_pkce: false,
            introspect: false,
            access_token_ttl: None,
            refresh_token_ttl: None,
            refresh_grace: 0,
            created_at: 0,
        }
    }

    pub fn is_public(&self) -> bool {
        self.secret_digest.is_none()
    }

    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub workspace: String,
    pub username: String,
    /// Stable subject identifier, not reused if a username is.
    pub sub: String,
    pub password_hash: String,
    pub failed_logins: u32,
    pub locked_until: u64,
}

/// An authorization code as stored: bound to everything the token request must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeGrant {
    pub workspace: String,
    pub client_id: String,
    /// The `redirect_uri` named in the authorization request, if it named one.
    pub redirect_uri: Option<String>,
    pub scope: Scopes,
    pub username: String,
    pub sub: String,
    pub challenge: Option<(pkce::Method, String)>,
    pub grant_id: String,
    pub expires_at: u64,
    pub used: bool,
}

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
    /// Family of tokens from one authorization; `None` for client_credentials.
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

/// Who a token is for: the resource owner of a user grant, or nobody (client_credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub username: String,
    pub sub: String,
}

/// A browser's login at the authorization endpoint, stored under the digest of its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub workspace: String,
    pub username: String,
    pub sub: String,
    pub auth_time: u64,
    pub expires_at: u64,
}
