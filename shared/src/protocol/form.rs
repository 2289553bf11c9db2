//! Strict `application/x-www-form-urlencoded` parsing.
//!
//! Lenient parsers pass a bad `%` escape through or replace invalid UTF-8; a security endpoint
//! must refuse both, and must see a repeated parameter (RFC 6749 §3.1, §3.2).

use super::error::OAuthError;
use std::collections::HashMap;

/// Parameters by name; RFC 6749 §3.1: a parameter sent without a value counts as omitted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Form(HashMap<String, String>);

impl Form {
    pub fn parse(input: &[u8]) -> Result<Self, OAuthError> {
        let (form, repeated) = Self::parse_keeping_first(input)?;
        match repeated.first() {
            None => Ok(form),
            Some(name) => Err(repeated_parameter(name)),
        }
    }

    /// Parses like [`Form::parse`] but keeps the first value of a repeated parameter and names
    /// the repeated ones, for callers that must decide where to report the error (the
    /// authorization endpoint may not redirect before it trusts `redirect_uri`).
    pub fn parse_keeping_first(input: &[u8]) -> Result<(Self, Vec<String>), OAuthError> {
        let mut map = HashMap::new();
        let mut repeated = Vec::new();
        for pair in input.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            let name = decode(name)?;
            let value = decode(value)?;
            if map.contains_key(&name) {
                if !repeated.contains(&name) {
                    repeated.push(name);
                }
                continue;
            }
            map.insert(name, value);
        }
        Ok((Self(map), repeated))
    }

    /// The value, or `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("missing parameter {name}")))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Parameters the server knows may be named in an error; any other is not echoed back.
const KNOWN: [&str; 20] = [
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "scope",
    "username",
    "password",
    "client_id",
    "client_secret",
    "token",
    "token_type_hint",
    "response_type",
    "state",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "nonce",
    "resource",
    "step",
];

/// "A parameter is repeated", naming it only if it is one of the protocol's parameters (the
/// request's own text is never echoed back).
pub fn repeated_parameter(name: &str) -> OAuthError {
    let description = match KNOWN.iter().find(|k| **k == name) {
        Some(known) => format!("the {known} parameter is repeated"),
        None => "a parameter is repeated".to_owned(),
    };
    OAuthError::invalid_request(description)
}

fn decode(raw: &[u8]) -> Result<String, OAuthError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        OAuthError::invalid_request("malformed percent-encoding in the form body")
                    })?;
                out.push(byte);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| OAuthError::invalid_request("form parameters must be valid UTF-8"))
}

/// `+` and `%XX` decoding of one component, as RFC 6749 §2.3.1 asks for Basic credentials.
pub fn decode_component(raw: &str) -> Result<String, OAuthError> {
    decode(raw.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent() {
        let f = Form::parse(b"a=x+y%2Bz&b=%C3%A9").unwrap();
        assert_eq!(f.get("a"), Some("x y+z"));
        assert_eq!(f.get("b"), Some("\u{e9}"));
    }

    #[test]
    fn empty_value_counts_as_absent() {
        let f = Form::parse(b"a=&b").unwrap();
        assert_eq!(f.get("a"), None);
        assert!(f.require("b").is_err());
    }

    #[test]
    fn refuses_repeats_bad_escapes_and_bad_utf8() {
        for bad in [&b"a=1&a=2"[..], b"a=%zz", b"a=%4", b"a=%ff", b"a=%C3"] {
            let err = Form::parse(bad).unwrap_err();
            assert_eq!(err.code.as_str(), "invalid_request", "{bad:?}");
        }
        // A repeat is refused even when one of the values is empty.
        assert!(Form::parse(b"scope=&scope=x").is_err());
    }
}
