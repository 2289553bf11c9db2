//! What a token's value names, beside its secret: the client, the subject and the family
//! whose standing decides whether the token is active, so that one read fetches them all.
//! None of these parts is secret (a client learns its own id, the subject and, by using it,
//! the family); the 256-bit secret is what makes the value unguessable, and only its digest is
//! stored (under the digest of the whole value).
//!
//! `<client>.<subject>.<family>.<secret>`: the client id base64url-encoded (ids may hold any
//! character), the subject and family ids as they are (letters, digits, `-`, `_`), either
//! empty when the token has none.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName {
    pub client_id: String,
    pub sub: Option<String>,
    pub grant_id: Option<String>,
}

fn is_id(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl TokenName {
    /// The token's value: this name and `secret`.
    pub fn value(&self, secret: &str) -> String {
        format!(
            "{}.{}.{}.{secret}",
            URL_SAFE_NO_PAD.encode(&self.client_id),
            self.sub.as_deref().unwrap_or(""),
            self.grant_id.as_deref().unwrap_or("")
        )
    }

    /// The name in a value, if it is one of ours (anything else is an unknown token).
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.split('.');
        let (client, sub, grant, secret) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !is_id(secret) {
            return None;
        }
        let client_id = String::from_utf8(URL_SAFE_NO_PAD.decode(client).ok()?).ok()?;
        let optional = |p: &str| match p {
            "" => Some(None),
            p if is_id(p) => Some(Some(p.to_owned())),
            _ => None,
        };
        Some(Self {
            client_id,
            sub: optional(sub)?,
            grant_id: optional(grant)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let name = TokenName {
            client_id: "my.app/ü".into(),
            sub: Some("Ab9".into()),
            grant_id: Some("g-1_x".into()),
        };
        let value = name.value("s3cr-et_");
        assert_eq!(TokenName::parse(&value), Some(name));
        let bare = TokenName {
            client_id: "c".into(),
            sub: None,
            grant_id: None,
        };
        assert_eq!(TokenName::parse(&bare.value("s")), Some(bare));
    }

    #[test]
    fn other_values_are_not_ours() {
        for bad in [
            "",
            "abc",
            "a.b.c",
            "Yw.s.g.x.y",
            "Yw.s.g.",
            "Yw.s!.g.x",
            "!!.s.g.x",
            "Yw.s.g.x y",
        ] {
            assert_eq!(TokenName::parse(bad), None, "{bad}");
        }
    }
}
