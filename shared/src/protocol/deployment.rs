//! What this deployment offers, whatever a client is registered for: the grants it enables
//! and whether PKCE's `plain` method exists at all. Server metadata advertises exactly this.

use super::client::GrantType;
use super::error::{ErrorCode, OAuthError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The grants any client may use (`GRANT_TYPES`), in `GrantType::ALL`'s order.
    pub grant_types: Vec<GrantType>,
    /// Whether a client registered for `plain` PKCE may use it (`PKCE_PLAIN`).
    pub plain_pkce: bool,
}

impl Default for Deployment {
    fn default() -> Self {
        Self {
            grant_types: GrantType::ALL.to_vec(),
            plain_pkce: false,
        }
    }
}

impl Deployment {
    /// From `GRANT_TYPES` (space-delimited names) and `PKCE_PLAIN`.
    pub fn parse(grant_types: Option<&str>, plain_pkce: bool) -> Result<Self, String> {
        let Some(names) = grant_types else {
            return Ok(Self {
                plain_pkce,
                ..Self::default()
            });
        };
        let mut enabled = Vec::new();
        for name in names.split_whitespace() {
            let g = GrantType::parse(name)
                .ok_or_else(|| format!("GRANT_TYPES: unknown grant type {name:?}"))?;
            enabled.push(g);
        }
        if enabled.is_empty() {
            return Err("GRANT_TYPES: name at least one grant type".into());
        }
        Ok(Self {
            grant_types: GrantType::ALL
                .into_iter()
                .filter(|g| enabled.contains(g))
                .collect(),
            plain_pkce,
        })
    }

    pub fn enables(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// At the token endpoint, a grant this deployment does not offer is unsupported
    /// (RFC 6749 §5.2), as if it did not exist.
    pub fn ensure_grant(&self, grant: GrantType) -> Result<(), OAuthError> {
        self.check(grant, ErrorCode::UnsupportedGrantType, "grant_type")
    }

    /// At the authorization endpoint, the same for the response type that asks for `grant`
    /// (RFC 6749 §4.1.2.1).
    pub fn ensure_response_type(&self, grant: GrantType) -> Result<(), OAuthError> {
        self.check(grant, ErrorCode::UnsupportedResponseType, "response_type")
    }

    fn check(&self, grant: GrantType, code: ErrorCode, what: &str) -> Result<(), OAuthError> {
        if self.enables(grant) {
            return Ok(());
        }
        Err(OAuthError::new(
            code,
            format!("this server does not offer this {what}"),
        ))
    }

    /// `response_types_supported` (RFC 8414): `code` and `token` as their grants are enabled.
    pub fn response_types(&self) -> Vec<&'static str> {
        GrantType::response_types(|g| self.enables(g))
    }

    /// `response_modes_supported`: `query` for codes, `fragment` for implicit tokens.
    pub fn response_modes(&self) -> Vec<&'static str> {
        let types = self.response_types();
        let mut modes = Vec::new();
        if types.contains(&"code") {
            modes.push("query");
        }
        if types.contains(&"token") {
            modes.push("fragment");
        }
        modes
    }

    /// `code_challenge_methods_supported`.
    pub fn pkce_methods(&self) -> Vec<&'static str> {
        if self.plain_pkce {
            vec!["S256", "plain"]
        } else {
            vec!["S256"]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_keeps_the_canonical_order_and_refuses_unknown_names() {
        let d = Deployment::parse(Some("refresh_token authorization_code"), false).unwrap();
        assert_eq!(
            d.grant_types,
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
        );
        assert_eq!(d.response_types(), vec!["code"]);
        assert_eq!(d.response_modes(), vec!["query"]);
        assert!(Deployment::parse(Some("magic"), false).is_err());
        assert!(Deployment::parse(Some(" "), false).is_err());
        assert_eq!(
            Deployment::parse(None, true).unwrap().pkce_methods(),
            vec!["S256", "plain"]
        );
    }

    #[test]
    fn a_disabled_grant_is_unsupported() {
        let d = Deployment::parse(Some("client_credentials"), false).unwrap();
        assert!(d.ensure_grant(GrantType::ClientCredentials).is_ok());
        let e = d.ensure_grant(GrantType::Password).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnsupportedGrantType);
        let e = d
            .ensure_response_type(GrantType::AuthorizationCode)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::UnsupportedResponseType);
        assert!(d.response_types().is_empty() && d.response_modes().is_empty());
    }
}
