//! Every path the server answers, written once. The token function dispatches on this table;
//! a test checks that `template.yaml` and the `cargo lambda watch` router in `Cargo.toml`
//! route exactly these paths to the same functions.

use crate::protocol::workspace::{self, DEFAULT_WORKSPACE};

/// A Lambda function of the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Token,
    Authorize,
}

impl Function {
    /// The binary's name (`functions/…`, the watch router's target).
    pub fn binary(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Authorize => "authorize",
        }
    }

    /// The function's logical id in `template.yaml`.
    pub fn logical_id(self) -> &'static str {
        match self {
            Self::Token => "TokenFunction",
            Self::Authorize => "AuthorizeFunction",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// RFC 6749 §3.2.
    Token,
    /// RFC 7009.
    Revocation,
    /// RFC 7662.
    Introspection,
    /// RFC 8414.
    Metadata,
    /// RFC 6749 §3.1.
    Authorization,
}

impl Endpoint {
    pub fn function(self) -> Function {
        match self {
            Self::Authorization => Function::Authorize,
            _ => Function::Token,
        }
    }
}

/// A path pattern; `{workspace}` stands for one segment that is a valid workspace name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub path: &'static str,
    pub endpoint: Endpoint,
}

const fn route(path: &'static str, endpoint: Endpoint) -> Route {
    Route { path, endpoint }
}

/// The canonical paths, their workspace forms, and the seed aliases (000: `/api/v1/oauth`,
/// 002: `/v1/oauth`), which serve the default workspace.
pub const ROUTES: &[Route] = &[
    route("/oauth2/token", Endpoint::Token),
    route("/{workspace}/oauth2/token", Endpoint::Token),
    route("/api/v1/oauth/token", Endpoint::Token),
    route("/v1/oauth/token", Endpoint::Token),
    route("/oauth2/revoke", Endpoint::Revocation),
    route("/{workspace}/oauth2/revoke", Endpoint::Revocation),
    route("/oauth2/introspect", Endpoint::Introspection),
    route("/{workspace}/oauth2/introspect", Endpoint::Introspection),
    route(
        "/.well-known/oauth-authorization-server",
        Endpoint::Metadata,
    ),
    route(
        "/.well-known/oauth-authorization-server/{workspace}",
        Endpoint::Metadata,
    ),
    route("/oauth2/authorize", Endpoint::Authorization),
    route("/{workspace}/oauth2/authorize", Endpoint::Authorization),
    route("/api/v1/oauth/authorize", Endpoint::Authorization),
    route("/v1/oauth/authorize", Endpoint::Authorization),
];

/// The endpoint and workspace a request path addresses (one trailing slash tolerated), or
/// `None` for a path no route matches: a 404.
pub fn resolve(path: &str) -> Option<(Endpoint, String)> {
    let path = path.strip_suffix('/').unwrap_or(path);
    ROUTES
        .iter()
        .find_map(|r| matches(r.path, path).map(|ws| (r.endpoint, ws)))
}

fn matches(pattern: &str, path: &str) -> Option<String> {
    let (mut pat, mut got) = (pattern.split('/'), path.split('/'));
    let mut ws = DEFAULT_WORKSPACE.to_owned();
    loop {
        match (pat.next(), got.next()) {
            (None, None) => return Some(ws),
            (Some("{workspace}"), Some(name)) if workspace::is_valid_name(name) => {
                ws = name.to_owned()
            }
            (Some(p), Some(g)) if p == g => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_endpoints_and_workspaces() {
        for (path, endpoint, ws) in [
            ("/oauth2/token", Endpoint::Token, "default"),
            ("/api/v1/oauth/token", Endpoint::Token, "default"),
            ("/v1/oauth/token", Endpoint::Token, "default"),
            ("/acme-1/oauth2/token", Endpoint::Token, "acme-1"),
            ("/acme/oauth2/token/", Endpoint::Token, "acme"),
            ("/acme/oauth2/revoke", Endpoint::Revocation, "acme"),
            (
                "/.well-known/oauth-authorization-server",
                Endpoint::Metadata,
                "default",
            ),
            (
                "/.well-known/oauth-authorization-server/acme",
                Endpoint::Metadata,
                "acme",
            ),
            ("/v1/oauth/authorize", Endpoint::Authorization, "default"),
        ] {
            assert_eq!(resolve(path), Some((endpoint, ws.to_owned())), "{path}");
        }
    }

    #[test]
    fn other_paths_are_not_found() {
        for path in [
            "/Acme/oauth2/token",
            "/a/b/oauth2/token",
            "/oauth2/tokens",
            "/x/token",
            "/-x/oauth2/authorize/extra",
            "/.well-known/oauth-authorization-serverx",
            "/.well-known/oauth-authorization-server/Acme",
            "/.well-known/oauth-authorization-server/a/b",
            "",
        ] {
            assert_eq!(resolve(path), None, "{path}");
        }
    }
}
