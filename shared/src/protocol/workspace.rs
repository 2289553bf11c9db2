//! Workspaces (tenants) and the endpoint paths that carry them.

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

/// The workspace a request path addresses for `endpoint` (e.g. `token`):
/// `/oauth2/{endpoint}` and the seed aliases `/api/v1/oauth/{endpoint}`, `/v1/oauth/{endpoint}`
/// are the default workspace; `/{workspace}/oauth2/{endpoint}` a named one.
pub fn from_path(path: &str, endpoint: &str) -> Result<String, OAuthError> {
    let not_found =
        || OAuthError::invalid_request(format!("no such endpoint: {path}")).with_status(404);
    let path = path.strip_suffix('/').unwrap_or(path);
    let prefix = path
        .strip_suffix(endpoint)
        .and_then(|p| p.strip_suffix('/'))
        .ok_or_else(not_found)?;
    match prefix {
        "/oauth2" | "/api/v1/oauth" | "/v1/oauth" => Ok(DEFAULT_WORKSPACE.to_owned()),
        _ => {
            let ws = prefix
                .strip_prefix('/')
                .and_then(|p| p.strip_suffix("/oauth2"))
                .ok_or_else(not_found)?;
            if is_valid_name(ws) {
                Ok(ws.to_owned())
            } else {
                Err(
                    OAuthError::invalid_request(format!("unknown workspace {ws:?}"))
                        .with_status(404),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_workspaces() {
        for (path, ws) in [
            ("/oauth2/token", "default"),
            ("/api/v1/oauth/token", "default"),
            ("/v1/oauth/token", "default"),
            ("/acme-1/oauth2/token", "acme-1"),
            ("/acme/oauth2/token/", "acme"),
        ] {
            assert_eq!(from_path(path, "token").unwrap(), ws, "{path}");
        }
    }

    #[test]
    fn bad_paths_are_404() {
        for path in [
            "/Acme/oauth2/token",
            "/a/b/oauth2/token",
            "/oauth2/tokens",
            "/x/token",
            "/-/oauth2/authorize",
        ] {
            assert_eq!(
                from_path(path, "token").map_err(|e| e.status),
                Err(404),
                "{path}"
            );
        }
    }

    #[test]
    fn names() {
        assert!(is_valid_name("a"));
        assert!(is_valid_name(&"a".repeat(63)));
        assert!(!is_valid_name(&"a".repeat(64)));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a_b"));
    }
}
