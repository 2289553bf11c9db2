//! Workspaces (tenants): their names, and the issuer identifier each one has.

use super::error::OAuthError;

pub const DEFAULT_WORKSPACE: &str = "default";

/// 1–63 lowercase letters, digits and hyphens.
pub fn is_valid_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub fn validate_name(name: &str) -> Result<(), OAuthError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(OAuthError::invalid_request(
            "workspace names are 1-63 lowercase letters, digits and hyphens",
        ))
    }
}

/// The issuer identifier of a workspace (RFC 8414 §2, RFC 9207 `iss`): the default
/// workspace's is the base URL, a named one adds its name as a path.
pub fn issuer(base: &str, workspace: &str) -> String {
    if workspace == DEFAULT_WORKSPACE {
        base.to_owned()
    } else {
        format!("{base}/{workspace}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_valid_name("a"));
        assert!(is_valid_name(&"a".repeat(63)));
        assert!(!is_valid_name(&"a".repeat(64)));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a_b"));
        assert!(!is_valid_name("Acme"));
    }

    #[test]
    fn issuers_per_workspace() {
        assert_eq!(issuer("https://as", "default"), "https://as");
        assert_eq!(issuer("https://as", "acme"), "https://as/acme");
    }
}
