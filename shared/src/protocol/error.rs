//! The protocol's one error type: an RFC 6749 error code and a description written for the
//! client's developer. How an error travels (status, headers, page or JSON) is decided by the
//! HTTP edge alone (`http::failure`).

use std::fmt;

/// Error codes of RFC 6749 §4.1.2.1 and §5.2, and of the specifications beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    AccessDenied,
    UnsupportedResponseType,
    ServerError,
    TemporarilyUnavailable,
    /// OpenID Connect Core §3.1.2.6: `prompt=none`, and nobody is signed in.
    LoginRequired,
    /// `prompt=none`, and the user would have to consent.
    ConsentRequired,
    /// RFC 6750 §3.1: a bearer token (here: a registration token) that is missing, unknown,
    /// expired or used up.
    InvalidToken,
    /// RFC 6750 §3.1: no bearer token was sent. The body still says `invalid_token`, but the
    /// `WWW-Authenticate` challenge carries no error code, as §3.1 asks.
    TokenRequired,
    /// RFC 7591 §3.2.2.
    InvalidRedirectUri,
    /// RFC 7591 §3.2.2.
    InvalidClientMetadata,
    /// RFC 8707 §2: a `resource` this client may not ask for.
    InvalidTarget,
    /// RFC 6750 §3.1: the access token lacks the scope the resource needs.
    InsufficientScope,
    /// OpenID Connect Core §3.1.2.6: a `request` object, which this server does not take.
    RequestNotSupported,
    /// OpenID Connect Core §3.1.2.6: a `request_uri`, likewise.
    RequestUriNotSupported,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InvalidToken | Self::TokenRequired => "invalid_token",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidTarget => "invalid_target",
            Self::InsufficientScope => "insufficient_scope",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error the client is told about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct OAuthError {
    pub code: ErrorCode,
    pub description: String,
}

impl OAuthError {
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, d)
    }
    pub fn invalid_client(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClient, d)
    }
    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidGrant, d)
    }
    pub fn unauthorized_client(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::UnauthorizedClient, d)
    }
    pub fn invalid_scope(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidScope, d)
    }
    pub fn invalid_client_metadata(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClientMetadata, d)
    }
    pub fn invalid_redirect_uri(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRedirectUri, d)
    }

    /// No registration token was sent (RFC 6750 §3.1).
    pub fn registration_token_required() -> Self {
        Self::new(
            ErrorCode::TokenRequired,
            "a registration token is required: send it as Authorization: Bearer",
        )
    }

    /// A registration (initial or registration access) token that is missing, unknown,
    /// expired, used up, or not for this client: one answer for all (RFC 6750, RFC 7592 §3).
    pub fn invalid_registration_token() -> Self {
        Self::new(
            ErrorCode::InvalidToken,
            "the registration token is missing, invalid, expired or used up",
        )
    }

    // Failures that must read the same whichever part of the request was wrong, so that
    // nobody can probe for client ids, usernames, codes or tokens: one constructor each.

    /// Unknown client, wrong or missing secret, malformed credentials.
    pub fn client_authentication_failed() -> Self {
        Self::invalid_client("client authentication failed")
    }

    /// Unknown user, wrong password, disabled account (the password grant).
    pub fn wrong_credentials() -> Self {
        Self::invalid_grant("invalid username or password")
    }

    /// Too many failures in a row from this source: nothing was checked (the password grant).
    pub fn login_throttled(seconds: u64) -> Self {
        Self::invalid_grant(format!(
            "too many failed attempts in a row: try again in {seconds} s"
        ))
    }

    /// The right password, from a source locked out of the account for `seconds` more (told
    /// only to whoever knows the password).
    pub fn login_locked(seconds: u64) -> Self {
        Self::invalid_grant(format!(
            "the account is locked for this source after too many failed attempts; try again in {seconds} seconds"
        ))
    }

    /// Unknown, expired or another client's authorization code.
    pub fn invalid_code() -> Self {
        Self::invalid_grant(
            "the authorization code is invalid, expired, or was issued to another client",
        )
    }

    /// Unknown, expired, revoked or another client's refresh token.
    pub fn invalid_refresh_token() -> Self {
        Self::invalid_grant(
            "the refresh token is invalid, expired, revoked, or was issued to another client",
        )
    }

    /// An authorization request naming a client this workspace does not have.
    pub fn unknown_client() -> Self {
        Self::invalid_request("unknown client_id")
    }
}
