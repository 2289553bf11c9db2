//! Authorization codes (RFC 6749 §4.1.2, §4.1.3; RFC 7636 §4.6): what a code is bound to, and
//! whether a redemption proves possession of it by its own client.

use super::client::Client;
use super::error::OAuthError;
use super::pkce;
use super::redirect_uri;
use super::scope::Scopes;

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
    /// The user's generation at sign-in: the code dies with the user's tokens.
    pub user_generation: u64,
    /// The audience its tokens are for (RFC 8707: the request's `resource`, or the client's).
    pub audience: Vec<String>,
    /// OpenID Connect: the request's `nonce`, echoed in the ID token.
    pub nonce: Option<String>,
    /// When the user signed in (the ID token's `auth_time`).
    pub auth_time: u64,
}

/// What a well-formed redemption of a code leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeVerdict {
    /// First use: issue tokens, if the store's conditional write still finds the code unused
    /// (a code is redeemed once: `CodeStore::redeem_code`).
    Redeem,
    /// A valid second redemption: refuse, and revoke everything issued from the code.
    Reused,
}

/// Checks a code redemption. Anything that does not prove possession of the code by its own
/// client (wrong client, verifier, redirect URI) is `invalid_grant` and revokes nothing; an
/// unused code past its time is `invalid_grant`; a used one proven again is a replay, expired
/// or not.
pub fn check_code(
    code: &CodeGrant,
    client: &Client,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
    now: u64,
) -> Result<CodeVerdict, OAuthError> {
    if code.client_id != client.client_id
        || code.workspace != client.workspace
        || (!code.used && code.expires_at <= now)
    {
        return Err(OAuthError::invalid_code());
    }
    check_redirect_uri(code, client, redirect_uri)?;
    check_pkce(code, client, verifier)?;
    Ok(if code.used {
        CodeVerdict::Reused
    } else {
        CodeVerdict::Redeem
    })
}

/// §4.1.3: the `redirect_uri` of the authorization request, repeated exactly; when the
/// request named none, one the client registered (or none at all).
fn check_redirect_uri(
    code: &CodeGrant,
    client: &Client,
    given: Option<&str>,
) -> Result<(), OAuthError> {
    match (&code.redirect_uri, given) {
        (Some(bound), Some(given)) if bound == given => Ok(()),
        (Some(_), Some(_)) => Err(OAuthError::invalid_grant(
            "redirect_uri does not match the one of the authorization request",
        )),
        (Some(_), None) => Err(OAuthError::invalid_request(
            "redirect_uri is required: the authorization request named one",
        )),
        (None, Some(given)) if !redirect_uri::is_registered(&client.redirect_uris, given) => Err(
            OAuthError::invalid_grant("redirect_uri is not registered for this client"),
        ),
        (None, _) => Ok(()),
    }
}

/// RFC 7636 §4.6, and the downgrade rule of RFC 9700 §4.8.2: a `code_verifier` for a code
/// issued without a challenge is refused, and a public client must have used PKCE.
fn check_pkce(code: &CodeGrant, client: &Client, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (&code.challenge, verifier) {
        (Some((method, challenge)), Some(v)) if pkce::verify(*method, challenge, v) => Ok(()),
        (Some(_), Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier does not match the code_challenge",
        )),
        (Some(_), None) => Err(OAuthError::invalid_request(
            "code_verifier is required: the authorization request used PKCE",
        )),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier sent, but the authorization request had no code_challenge",
        )),
        (None, None) if client.is_public() || client.policy.require_pkce => {
            Err(OAuthError::invalid_grant("this client must use PKCE"))
        }
        (None, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::client::GrantType;
    use crate::protocol::pkce::rfc7636_example::{CHALLENGE, VERIFIER};

    const NOW: u64 = 1_000_000;

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
            user_generation: 0,
            audience: vec![],
            nonce: None,
            auth_time: 0,
        }
    }

    const CB: Option<&str> = Some("https://app/cb");
    const V: Option<&str> = Some(VERIFIER);
    const WRONG_V: Option<&str> = Some(CHALLENGE);

    /// (case, change to [`code`], redirect_uri, verifier, expected verdict or error code)
    type Case = (
        &'static str,
        fn(&mut CodeGrant),
        Option<&'static str>,
        Option<&'static str>,
        Result<CodeVerdict, &'static str>,
    );

    #[rustfmt::skip]
    const CASES: &[Case] = &[
        ("fresh", |_| {}, CB, V, Ok(CodeVerdict::Redeem)),
        ("reused", |c| c.used = true, CB, V, Ok(CodeVerdict::Reused)),
        ("reuse with wrong verifier", |c| c.used = true, CB, WRONG_V, Err("invalid_grant")),
        ("other client", |c| c.client_id = "x".into(), CB, V, Err("invalid_grant")),
        ("expired", |c| c.expires_at = NOW, CB, V, Err("invalid_grant")),
        ("expired and used: still a replay", |c| { c.expires_at = NOW; c.used = true }, CB, V, Ok(CodeVerdict::Reused)),
        ("other redirect", |_| {}, Some("https://app/cb2"), V, Err("invalid_grant")),
        ("missing redirect", |_| {}, None, V, Err("invalid_request")),
        ("missing verifier", |_| {}, CB, None, Err("invalid_request")),
        ("downgrade: verifier without challenge", |c| c.challenge = None, CB, V, Err("invalid_grant")),
        ("no pkce, confidential", |c| c.challenge = None, CB, None, Ok(CodeVerdict::Redeem)),
        ("unbound, registered uri", |c| c.redirect_uri = None, Some("https://app/cb2"), V, Ok(CodeVerdict::Redeem)),
        ("unbound, foreign uri", |c| c.redirect_uri = None, Some("https://evil/cb"), V, Err("invalid_grant")),
    ];

    #[test]
    fn code_redemption_table() {
        for (name, change, redirect, verifier, want) in CASES {
            let mut c = code();
            change(&mut c);
            let got = check_code(&c, &client(false), *redirect, *verifier, NOW)
                .map_err(|e| e.code.as_str());
            assert_eq!(got, *want, "{name}");
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
}
