//! Registered clients and the grants they may use.

use super::error::OAuthError;
use super::scope::Scopes;
use crate::jose::Alg;

/// What a client's access tokens look like.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenFormat {
    /// A random value that only this server can look up (the default).
    #[default]
    Opaque,
    /// A JWT (RFC 9068) that a resource server, or API Gateway's JWT authorizer, verifies
    /// with the published keys alone.
    Jwt,
}

impl TokenFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opaque => "opaque",
            Self::Jwt => "jwt",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Opaque, Self::Jwt]
            .into_iter()
            .find(|f| f.as_str() == raw)
    }
}

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

    /// The `response_type` of the authorization request that starts this grant, for the two
    /// grants that have one (RFC 6749 §4.1.1, §4.2.1; RFC 7591 §2.1).
    pub fn response_type(self) -> Option<&'static str> {
        match self {
            Self::AuthorizationCode => Some("code"),
            Self::Implicit => Some("token"),
            _ => None,
        }
    }

    /// The response types of `grants`, in the order of [`GrantType::ALL`].
    pub fn response_types(grants: impl Fn(GrantType) -> bool) -> Vec<&'static str> {
        Self::ALL
            .into_iter()
            .filter(|g| grants(*g))
            .filter_map(Self::response_type)
            .collect()
    }
}

/// Longest client name (shown on the consent page).
pub const MAX_NAME: usize = 100;
/// Most redirect URIs one client may have.
pub const MAX_REDIRECT_URIS: usize = 20;

/// Why a client name cannot be registered (it is shown on the consent page), in fixed words.
pub fn name_problem(name: &str) -> Option<&'static str> {
    let fits =
        (1..=MAX_NAME).contains(&name.chars().count()) && !name.chars().any(char::is_control);
    (!fits).then_some("a client name is 1-100 characters, without control characters")
}

/// Why this many redirect URIs cannot be registered for `grants`, in fixed words: the grants
/// that redirect need one, and no client has more than [`MAX_REDIRECT_URIS`].
pub fn redirect_count_problem(count: usize, grants: &[GrantType]) -> Option<&'static str> {
    let redirects = grants
        .iter()
        .any(|g| matches!(g, GrantType::AuthorizationCode | GrantType::Implicit));
    if redirects && count == 0 {
        Some("the authorization_code and implicit grants need at least one redirect URI")
    } else if count > MAX_REDIRECT_URIS {
        Some("a client has at most 20 redirect URIs")
    } else {
        None
    }
}

/// A registered client. `secret_digest` is `None` for public clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub workspace: String,
    pub client_id: String,
    pub name: String,
    pub secret_digest: Option<String>,
    /// The secret a rotation with an overlap replaced, still accepted until its end.
    pub previous_secret: Option<PreviousSecret>,
    /// The digest of the registration access token of a client that registered itself
    /// (RFC 7591): what reads, updates and deletes its registration (RFC 7592).
    pub registration_token_digest: Option<String>,
    /// The subject of the developer who registered it on the applications page, who alone
    /// may change it there.
    pub owner: Option<String>,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub scopes: Scopes,
    pub policy: ClientPolicy,
    pub created_at: u64,
    /// Changes (to a fresh random value) whenever the operator ends the client's tokens; set
    /// anew when a client is created, so a re-created id does not revive old tokens.
    pub generation: u64,
}

/// A replaced secret's digest and the instant it stops being accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousSecret {
    pub digest: String,
    pub until: u64,
}

/// What the operator decided for a client beyond its grants and scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientPolicy {
    /// Never shown the consent page.
    pub first_party: bool,
    /// May use PKCE's `plain` method.
    pub allow_plain_pkce: bool,
    /// May call the introspection endpoint.
    pub introspect: bool,
    /// Its own access token lifetime (seconds), instead of `ACCESS_TOKEN_TTL`.
    pub access_token_ttl: Option<u64>,
    /// Its own refresh token lifetime (seconds), instead of `REFRESH_TOKEN_TTL`.
    pub refresh_token_ttl: Option<u64>,
    /// Seconds a rotated refresh token may still be retried once (0: never).
    pub refresh_grace: u64,
    /// The audience of its tokens (resource identifiers, RFC 8707).
    pub audience: Vec<String>,
    /// The resources this client serves: as a resource server, it may introspect the tokens
    /// whose audience names one of them (RFC 7662 §4).
    pub serves: Vec<String>,
    /// Must use PKCE even when confidential (OAuth 2.1; public clients always must).
    pub require_pkce: bool,
    /// Refresh does not rotate: the refresh token is answered again and stays valid until it
    /// expires. Only for confidential clients, whose refresh needs their secret too (RFC 9700
    /// §4.14.2); a public client's tokens always rotate.
    pub keep_refresh_token: bool,
    /// Opaque access tokens, or JWTs (RFC 9068).
    pub access_token_format: TokenFormat,
    /// The resources (RFC 8707) it may name with `resource`, beside its `audience`.
    pub resources: Vec<String>,
    /// How its ID tokens are signed (`id_token_signed_response_alg`; `None`: RS256).
    pub id_token_alg: Option<Alg>,
    /// Where RP-initiated logout may send the browser afterwards (exact match).
    pub post_logout_redirect_uris: Vec<String>,
    /// Its home page, privacy policy and terms (RFC 7591 `client_uri`, `policy_uri`,
    /// `tos_uri`), linked from the consent page.
    pub links: ClientLinks,
}

/// A client's pages for the people asked to trust it (RFC 7591 §2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientLinks {
    pub homepage: Option<String>,
    pub privacy: Option<String>,
    pub terms: Option<String>,
}

impl ClientLinks {
    /// What is wrong with the links, if anything: each an `https://` URL (or `http://` on a
    /// loopback host, for development) of at most 2000 characters.
    pub fn problem(&self) -> Option<&'static str> {
        let bad = |uri: &String| {
            let scheme_ok = uri.starts_with("https://")
                || uri
                    .strip_prefix("http://")
                    .and_then(|rest| rest.split(['/', ':']).next())
                    .is_some_and(super::redirect_uri::is_loopback);
            !scheme_ok
                || uri.len() > 2000
                || uri.chars().any(|c| c.is_whitespace() || c.is_control())
        };
        [&self.homepage, &self.privacy, &self.terms]
            .into_iter()
            .flatten()
            .any(bad)
            .then_some(
                "client_uri, policy_uri and tos_uri are https URLs of at most 2000 characters",
            )
    }
}

impl ClientPolicy {
    /// The algorithm of this client's ID tokens.
    pub fn id_token_alg(&self) -> Alg {
        self.id_token_alg.unwrap_or(Alg::RS256)
    }
}

impl Client {
    /// A confidential client with nothing registered, for tests to adjust.
    pub fn example() -> Self {
        Self {
            workspace: "default".into(),
            client_id: "c".into(),
            name: "C".into(),
            secret_digest: Some("d".into()),
            previous_secret: None,
            registration_token_digest: None,
            owner: None,
            redirect_uris: vec![],
            grant_types: vec![],
            scopes: Scopes::default(),
            policy: ClientPolicy::default(),
            created_at: 0,
            generation: 0,
        }
    }

    pub fn is_public(&self) -> bool {
        self.secret_digest.is_none()
    }

    /// Whether `secret` is the client's secret, or the one it replaced while that one's
    /// overlap lasts; compared in constant time.
    pub fn accepts_secret(&self, secret: &str, now: u64) -> bool {
        let current = self.secret_digest.as_deref();
        let previous = self.previous_secret.as_ref().filter(|p| p.until > now);
        // Both compared, whichever matches, so the time taken says nothing.
        let a = current.is_some_and(|d| crate::crypto::secret_matches(secret, d));
        let b = previous.is_some_and(|p| crate::crypto::secret_matches(secret, &p.digest));
        a | b
    }

    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// A client may use only the grants it was registered for (`unauthorized_client`).
    pub fn ensure_allows(&self, grant: GrantType) -> Result<(), OAuthError> {
        if self.allows(grant) {
            return Ok(());
        }
        Err(OAuthError::unauthorized_client(format!(
            "this client is not registered for the {} grant",
            grant.as_str()
        )))
    }
}
