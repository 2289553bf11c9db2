//! The token endpoint's grant rules (RFC 6749 §4.1.3, §4.3, §4.4, §6; RFC 7636 §4.6;
//! RFC 9700 §4.14), as pure decisions over loaded records.

use super::error::OAuthError;
use super::form::Form;
use super::model::{Client, CodeGrant, GrantType, TokenKind, TokenRecord};
use super::pkce;
use super::scope::Scopes;

/// A parsed token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantRequest {
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
        scope: Option<String>,
    },
    ClientCredentials {
        scope: Option<String>,
    },
    Password {
        username: String,
        password: String,
        scope: Option<String>,
    },
}

impl GrantRequest {
    pub fn parse(form: &Form) -> Result<Self, OAuthError> {
        let owned = |name: &str| form.get(name).map(str::to_owned);
        let required = |name: &str| form.require(name).map(str::to_owned);
        match form.require("grant_type")? {
            // `code` is seed 001's spelling of the code exchange.
            "authorization_code" | "code" => Ok(Self::AuthorizationCode {
                code: required("code")?,
                redirect_uri: owned("redirect_uri"),
                code_verifier: owned("code_verifier"),
            }),
            "refresh_token" => Ok(Self::RefreshToken {
                refresh_token: required("refresh_token")?,
                scope: owned("scope"),
            }),
            "client_credentials" => Ok(Self::ClientCredentials {
                scope: owned("scope"),
            }),
            "password" => Ok(Self::Password {
                username: username(form)?,
                password: required("password")?,
                scope: owned("scope"),
            }),
            other => Err(OAuthError::new(
                super::error::ErrorCode::UnsupportedGrantType,
                format!(
                    "grant_type {other:?} is not supported; use authorization_code, \
                     refresh_token, client_credentials or password"
                ),
            )),
        }
    }

    pub fn grant_type(&self) -> GrantType {
        match self {
            Self::AuthorizationCode { .. } => GrantType::AuthorizationCode,
            Self::RefreshToken { .. } => GrantType::RefreshToken,
            Self::ClientCredentials { .. } => GrantType::ClientCredentials,
            Self::Password { .. } => GrantType::Password,
        }
    }
}

/// Longest username we look up (DynamoDB refuses keys over 1 KB; the admin CLI allows 256).
pub const MAX_USERNAME: usize = 256;

/// The `username` of a password grant: required, and no longer than any user's can be.
fn username(form: &Form) -> Result<String, OAuthError> {
    let name = form.require("username")?;
    if name.len() > MAX_USERNAME {
        return Err(OAuthError::invalid_grant(
            "invalid username or password, or the account is temporarily locked",
        ));
    }
    Ok(name.to_owned())
}

/// A client may use only the grants it was registered for.
pub fn ensure_client_allows(client: &Client, grant: GrantType) -> Result<(), OAuthError> {
    if client.allows(grant) {
        return Ok(());
    }
    Err(OAuthError::unauthorized_client(format!(
        "this client is not registered for the {} grant",
        grant.as_str()
    )))
}

/// What a well-formed redemption of a code leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeVerdict {
    /// First use: issue tokens (if the conditional write still finds the code unused).
    Redeem,
    /// A valid second redemption: refuse, and revoke everything issued from the code.
    Reused,
}

/// Checks a code redemption. Anything that does not prove possession of the code by its own
/// client (wrong client, verifier, redirect URI, expired) is `invalid_grant` and revokes nothing.
pub fn check_code(
    code: &CodeGrant,
    client: &Client,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
    now: u64,
) -> Result<CodeVerdict, OAuthError> {
    let invalid = |why: &str| Err(OAuthError::invalid_grant(why));
    if code.client_id != client.client_id || code.workspace != client.workspace {
        return invalid(
            "the authorization code is invalid, expired, or was issued to another client",
        );
    }
    if code.expires_at <= now {
        return invalid(
            "the authorization code is invalid, expired, or was issued to another client",
        );
    }
    match (&code.redirect_uri, redirect_uri) {
        (Some(bound), Some(given)) if bound == given => {}
        (Some(_), Some(_)) => {
            return invalid("redirect_uri does not match the one of the authorization request")
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_request(
                "redirect_uri is required: the authorization request named one",
            ))
        }
        (None, Some(given)) if !client.redirect_uris.iter().any(|u| u == given) => {
            return invalid("redirect_uri is not registered for this client")
        }
        (None, _) => {}
    }
    match (&code.challenge, verifier) {
        (Some((method, challenge)), Some(v)) => {
            if !pkce::verify(*method, challenge, v) {
                return invalid("code_verifier does not match the code_challenge");
            }
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_request(
                "code_verifier is required: the authorization request used PKCE",
            ))
        }
        (None, Some(_)) => {
            return invalid(
                "code_verifier sent, but the authorization request had no code_challenge",
            )
        }
        (None, None) if client.is_public() => {
            return invalid("public clients must use PKCE");
        }
        (None, None) => {}
    }
    Ok(if code.used {
        CodeVerdict::Reused
    } else {
        CodeVerdict::Redeem
    })
}

/// What a well-formed refresh leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshVerdict {
    /// Rotate: the old token is retired on condition it is still current.
    Rotate { scope: Scopes },
    /// The token was rotated moments ago, within the client's grace window: issue again.
    GraceRetry { scope: Scopes, rotated_at: u64 },
    /// A rotated token presented again: refuse and revoke the whole family.
    Reused,
}

pub fn check_refresh(
    token: &TokenRecord,
    client: &Client,
    requested_scope: Option<&str>,
    now: u64,
) -> Result<RefreshVerdict, OAuthError> {
    let invalid = || {
        Err(OAuthError::invalid_grant(
            "the refresh token is invalid, expired, revoked, or was issued to another client",
        ))
    };
    if token.kind != TokenKind::Refresh
        || token.client_id != client.client_id
        || token.workspace != client.workspace
        || token.expires_at <= now
        || token.family_expires_at.is_some_and(|f| f <= now)
    {
        return invalid();
    }
    // Reuse is detected before anything else about the request is judged, so a stolen token
    // sent with a bad `scope` still revokes its family.
    let in_grace = |at: u64| !token.grace_used && now < at.saturating_add(client.refresh_grace);
    let grace_retry = match token.rotated_at {
        None => None,
        Some(at) if in_grace(at) => Some(at),
        Some(_) => return Ok(RefreshVerdict::Reused),
    };
    // Narrowing is allowed, widening never (RFC 6749 §6).
    let scope = Scopes::resolve(requested_scope, &token.scope)?;
    Ok(match grace_retry {
        None => RefreshVerdict::Rotate { scope },
        Some(rotated_at) => RefreshVerdict::GraceRetry { scope, rotated_at },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_000_000;
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn client(public: bool) -> Client {
        Client {
            workspace: "w".into(),
            secret_digest: (!public).then(|| "d".into()),
            redirect_uris: vec!["https://app/cb".into(), "https://app/cb2".into()],
            grant_types: vec![GrantType::AuthorizationCode],
            scopes: Scopes::parse("a b").unwrap(),
            ..Client::example()
        }
    }

    fn code() -> CodeGrant {
        CodeGrant {
            workspace: "w".into(),
            client_id: "c".into(),
            redirect_uri: Some("https://app/cb".into()),
            scope: Scopes::parse("a").unwrap(),
            username: "u".into(),
            sub: "s".into(),
            challenge: Some((pkce::Method::S256, CHALLENGE.into())),
            grant_id: "g".into(),
            expires_at: NOW + 60,
            used: false,
        }
    }

    fn refresh(rotated_at: Option<u64>) -> TokenRecord {
        TokenRecord {
            kind: TokenKind::Refresh,
            workspace: "w".into(),
            client_id: "c".into(),
            username: Some("u".into()),
            sub: Some("s".into()),
            scope: Scopes::parse("a b").unwrap(),
            grant_id: Some("g".into()),
            issued_at: NOW - 10,
            expires_at: NOW + 100,
            rotated_at,
            family_expires_at: Some(NOW + 1000),
            grace_used: false,
        }
    }

    /// (case, code, redirect_uri, verifier, expected verdict or error code)
    type CodeCase<'a> = (
        &'a str,
        CodeGrant,
        Option<&'a str>,
        Option<&'a str>,
        Result<CodeVerdict, &'a str>,
    );
    /// (case, token, client, requested scope, expected verdict or error code)
    type RefreshCase<'a> = (
        &'a str,
        TokenRecord,
        &'a Client,
        Option<&'a str>,
        Result<RefreshVerdict, &'a str>,
    );

    #[test]
    fn code_redemption_table() {
        let cb = Some("https://app/cb");
        let v = Some(VERIFIER);
        let other_client = CodeGrant {
            client_id: "x".into(),
            ..code()
        };
        let expired = CodeGrant {
            expires_at: NOW,
            ..code()
        };
        let used = CodeGrant {
            used: true,
            ..code()
        };
        let no_pkce = CodeGrant {
            challenge: None,
            ..code()
        };
        let unbound = CodeGrant {
            redirect_uri: None,
            ..code()
        };
        let cases: Vec<CodeCase> = vec![
            ("fresh", code(), cb, v, Ok(CodeVerdict::Redeem)),
            ("reused", used.clone(), cb, v, Ok(CodeVerdict::Reused)),
            (
                "reuse with wrong verifier",
                used,
                cb,
                Some(&CHALLENGE[..43]),
                Err("invalid_grant"),
            ),
            ("other client", other_client, cb, v, Err("invalid_grant")),
            ("expired", expired, cb, v, Err("invalid_grant")),
            (
                "other redirect",
                code(),
                Some("https://app/cb2"),
                v,
                Err("invalid_grant"),
            ),
            ("missing redirect", code(), None, v, Err("invalid_request")),
            ("missing verifier", code(), cb, None, Err("invalid_request")),
            (
                "verifier without challenge",
                no_pkce.clone(),
                cb,
                v,
                Err("invalid_grant"),
            ),
            (
                "no pkce, confidential",
                no_pkce,
                cb,
                None,
                Ok(CodeVerdict::Redeem),
            ),
            (
                "unbound, registered uri",
                unbound.clone(),
                Some("https://app/cb2"),
                v,
                Ok(CodeVerdict::Redeem),
            ),
            (
                "unbound, foreign uri",
                unbound,
                Some("https://evil/cb"),
                v,
                Err("invalid_grant"),
            ),
        ];
        for (name, code, redirect, verifier, want) in cases {
            let got = check_code(&code, &client(false), redirect, verifier, NOW)
                .map_err(|e| e.code.as_str());
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn public_client_without_pkce_is_refused() {
        let no_pkce = CodeGrant {
            challenge: None,
            ..code()
        };
        let err =
            check_code(&no_pkce, &client(true), Some("https://app/cb"), None, NOW).unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_grant");
    }

    #[test]
    fn refresh_table() {
        let c = client(false);
        let grace = Client {
            refresh_grace: 30,
            ..client(false)
        };
        let rotate = |s: &str| {
            Ok(RefreshVerdict::Rotate {
                scope: Scopes::parse(s).unwrap(),
            })
        };
        let cases: Vec<RefreshCase> = vec![
            ("current", refresh(None), &c, None, rotate("a b")),
            ("narrowed", refresh(None), &c, Some("b"), rotate("b")),
            (
                "widened",
                refresh(None),
                &c,
                Some("a c"),
                Err("invalid_scope"),
            ),
            (
                "rotated, no grace",
                refresh(Some(NOW - 1)),
                &c,
                None,
                Ok(RefreshVerdict::Reused),
            ),
            (
                "rotated, in grace",
                refresh(Some(NOW - 1)),
                &grace,
                None,
                Ok(RefreshVerdict::GraceRetry {
                    scope: Scopes::parse("a b").unwrap(),
                    rotated_at: NOW - 1,
                }),
            ),
            (
                "rotated, grace over",
                refresh(Some(NOW - 30)),
                &grace,
                None,
                Ok(RefreshVerdict::Reused),
            ),
            (
                "expired",
                TokenRecord {
                    expires_at: NOW,
                    ..refresh(None)
                },
                &c,
                None,
                Err("invalid_grant"),
            ),
            (
                "family over",
                TokenRecord {
                    family_expires_at: Some(NOW),
                    ..refresh(None)
                },
                &c,
                None,
                Err("invalid_grant"),
            ),
            (
                "access token",
                TokenRecord {
                    kind: TokenKind::Access,
                    ..refresh(None)
                },
                &c,
                None,
                Err("invalid_grant"),
            ),
            (
                "other client",
                TokenRecord {
                    client_id: "x".into(),
                    ..refresh(None)
                },
                &c,
                None,
                Err("invalid_grant"),
            ),
            (
                "in grace, retry already spent",
                TokenRecord {
                    grace_used: true,
                    ..refresh(Some(NOW - 1))
                },
                &grace,
                None,
                Ok(RefreshVerdict::Reused),
            ),
            (
                "rotated and widened: reuse wins over the scope error",
                refresh(Some(NOW - 1)),
                &c,
                Some("a c"),
                Ok(RefreshVerdict::Reused),
            ),
        ];
        for (name, token, client, scope, want) in cases {
            let got = check_refresh(&token, client, scope, NOW).map_err(|e| e.code.as_str());
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn grant_type_parsing() {
        let parse =
            |b: &[u8]| GrantRequest::parse(&Form::parse(b).unwrap()).map_err(|e| e.code.as_str());
        assert!(matches!(
            parse(b"grant_type=code&code=x"),
            Ok(GrantRequest::AuthorizationCode { .. })
        ));
        assert_eq!(
            parse(b"grant_type=magic").unwrap_err(),
            "unsupported_grant_type"
        );
        assert_eq!(parse(b"code=x").unwrap_err(), "invalid_request");
        assert_eq!(
            parse(b"grant_type=password&username=u").unwrap_err(),
            "invalid_request"
        );
    }
}
