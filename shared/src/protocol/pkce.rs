//! PKCE (RFC 7636): verifier syntax and the S256 / plain transforms.

use super::client::Client;
use super::deployment::Deployment;
use super::error::OAuthError;
use super::form::Form;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::digest::{digest, SHA256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    S256,
    Plain,
}

impl Method {
    pub fn parse(raw: &str) -> Result<Self, OAuthError> {
        match raw {
            "S256" => Ok(Self::S256),
            "plain" => Ok(Self::Plain),
            _ => Err(OAuthError::invalid_request(
                "this code_challenge_method is not supported; use S256",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

/// RFC 7636 Appendix B's example: the verifier and its S256 challenge. Every test that needs
/// a PKCE pair uses this one.
pub mod rfc7636_example {
    pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
}

/// RFC 7636 §4.1: 43–128 characters of `[A-Za-z0-9-._~]`. Challenges share the syntax.
pub fn is_valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `verifier` answers the stored `challenge` under `method` (§4.6), in constant time.
pub fn verify(method: Method, challenge: &str, verifier: &str) -> bool {
    if !is_valid_verifier(verifier) {
        return false;
    }
    let computed = match method {
        Method::S256 => URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes())),
        Method::Plain => verifier.to_owned(),
    };
    crate::crypto::constant_time_eq(computed.as_bytes(), challenge.as_bytes())
}

/// An authorization request's `code_challenge` and its method: `plain` when the method is
/// omitted (RFC 7636 §4.3), so a client that omits it where `plain` is not allowed gets
/// `invalid_request` here (§4.4.1) rather than a failed exchange later. `plain` is allowed
/// only where the deployment offers it and for clients registered for it. A challenge is
/// required of public clients and of confidential ones registered to need it.
pub fn challenge(
    params: &Form,
    client: &Client,
    deployment: &Deployment,
) -> Result<Option<(Method, String)>, OAuthError> {
    let Some(challenge) = params.get("code_challenge") else {
        if client.is_public() || client.policy.require_pkce {
            return Err(OAuthError::invalid_request(
                "code_challenge is required: this client must use PKCE (S256)",
            ));
        }
        if params.contains("code_challenge_method") {
            return Err(OAuthError::invalid_request(
                "code_challenge_method without code_challenge",
            ));
        }
        return Ok(None);
    };
    let named = params.get("code_challenge_method");
    let method = Method::parse(named.unwrap_or("plain"))?;
    if method == Method::Plain && !(deployment.plain_pkce && client.policy.allow_plain_pkce) {
        return Err(OAuthError::invalid_request(match named {
            None => "code_challenge_method is required: without it the method is plain (RFC 7636), which this client may not use; send code_challenge_method=S256",
            Some(_) => "code_challenge_method plain is not allowed for this client; use S256",
        }));
    }
    if !is_valid_verifier(challenge) {
        return Err(OAuthError::invalid_request(
            "code_challenge must be 43-128 characters of A-Z a-z 0-9 - . _ ~",
        ));
    }
    Ok(Some((method, challenge.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::rfc7636_example::{CHALLENGE, VERIFIER};
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert!(verify(Method::S256, CHALLENGE, VERIFIER));
    }

    #[test]
    fn wrong_verifier_or_method_fails() {
        assert!(!verify(
            Method::S256,
            CHALLENGE,
            &VERIFIER.replace('d', "e")
        ));
        assert!(!verify(Method::Plain, CHALLENGE, VERIFIER));
        assert!(verify(Method::Plain, VERIFIER, VERIFIER));
    }

    #[test]
    fn verifier_syntax() {
        assert!(!is_valid_verifier("short"));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", "a".repeat(43))));
        assert!(is_valid_verifier(&"a".repeat(43)));
    }
}
