//! Scope rules (RFC 6749 §3.3): space-delimited tokens; `*` means every scope the client may have.

use super::error::OAuthError;
use std::collections::BTreeSet;

/// A set of scope tokens, kept sorted so stored and returned values are canonical.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(BTreeSet<String>);

impl Scopes {
    /// Parses a space-delimited list; each token must be NQCHAR (%x21 / %x23-5B / %x5D-7E).
    pub fn parse(raw: &str) -> Result<Self, OAuthError> {
        let mut set = BTreeSet::new();
        for token in raw.split(' ').filter(|t| !t.is_empty()) {
            if !token.bytes().all(is_nqchar) {
                return Err(OAuthError::invalid_scope(
                    "a scope has a character RFC 6749 section 3.3 does not allow",
                ));
            }
            set.insert(token.to_owned());
        }
        Ok(Self(set))
    }

    pub fn from_stored(tokens: impl IntoIterator<Item = String>) -> Self {
        Self(tokens.into_iter().collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The scopes in both sets.
    pub fn intersection(&self, other: &Scopes) -> Scopes {
        Self(self.0.intersection(&other.0).cloned().collect())
    }

    /// The same scopes without `scope`.
    pub fn without(&self, scope: &str) -> Scopes {
        Self(self.0.iter().filter(|s| *s != scope).cloned().collect())
    }

    /// Every scope of either set.
    pub fn union(&self, other: &Scopes) -> Scopes {
        Self(self.0.union(&other.0).cloned().collect())
    }

    pub fn is_subset(&self, of: &Scopes) -> bool {
        self.0.is_subset(&of.0)
    }

    /// Space-delimited, the form of the `scope` response parameter.
    pub fn to_wire(&self) -> String {
        self.iter().collect::<Vec<_>>().join(" ")
    }

    /// What a request gets: `*` or no `scope` means everything allowed; otherwise the request
    /// must stay within `allowed` (an authorization server may not silently widen it).
    pub fn resolve(requested: Option<&str>, allowed: &Scopes) -> Result<Scopes, OAuthError> {
        let Some(raw) = requested else {
            return Ok(allowed.clone());
        };
        if raw.split(' ').any(|t| t == "*") {
            return Ok(allowed.clone());
        }
        let wanted = Scopes::parse(raw)?;
        match wanted.0.difference(&allowed.0).next() {
            None => Ok(wanted),
            Some(_) => Err(OAuthError::invalid_scope(
                "a requested scope is not available to this client or grant",
            )),
        }
    }
}

fn is_nqchar(b: u8) -> bool {
    b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Scopes {
        Scopes::parse("read write admin").unwrap()
    }

    #[test]
    fn star_and_absent_mean_everything_allowed() {
        assert_eq!(Scopes::resolve(Some("*"), &allowed()).unwrap(), allowed());
        assert_eq!(Scopes::resolve(None, &allowed()).unwrap(), allowed());
    }

    #[test]
    fn a_subset_is_granted_as_asked_and_canonicalised() {
        let got = Scopes::resolve(Some("write  read"), &allowed()).unwrap();
        assert_eq!(got.to_wire(), "read write");
    }

    #[test]
    fn a_scope_outside_the_client_is_invalid_scope() {
        let err = Scopes::resolve(Some("read delete"), &allowed()).unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_scope");
        assert!(
            !err.description.contains("delete"),
            "request text is not echoed"
        );
    }

    #[test]
    fn forbidden_characters_are_rejected() {
        assert!(Scopes::parse("a\"b").is_err());
        assert!(Scopes::parse("a\\b").is_err());
        assert!(Scopes::parse("caf\u{e9}").is_err());
    }
}
