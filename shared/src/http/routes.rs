//! Every path the server answers, written once. The token function dispatches on this table;
//! a test checks that `template.yaml` and the `cargo lambda watch` router in `Cargo.toml`
//! route exactly these paths to the same functions.

use crate::protocol::form::decode_component;
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
    /// RFC 7591.
    Registration,
    /// RFC 7592: one client's registration (`{client_id}`).
    RegistrationConfiguration,
    /// The applications page (seed 001's `/{workspace}/oauth2/apps`).
    Apps,
    /// RFC 7517: the signing keys' public halves.
    Jwks,
    /// OpenID Connect Discovery 1.0 §4 (the same document as RFC 8414's).
    OpenIdConfiguration,
    /// OpenID Connect Core §5.3.
    UserInfo,
    /// OpenID Connect RP-Initiated Logout 1.0 (`end_session_endpoint`).
    Logout,
}

impl Endpoint {
    pub fn function(self) -> Function {
        match self {
            Self::Authorization | Self::Apps | Self::Logout => Function::Authorize,
            _ => Function::Token,
        }
    }
}

/// Whose conventions a path speaks beyond the RFCs. Seed 000 (Flosum Global Settings) wants
/// `"refresh_token": null` in token responses, `message` and `statusCode` beside the RFC error
/// fields, JSON instead of error pages, and `{url, status}` bodies on redirects; those stay
/// on its paths, because RFC 6749 §5.1 does not allow a `null` token and clients refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    Rfc,
    Seed000,
}

/// A path pattern; `{workspace}` stands for one segment that is a valid workspace name,
/// `{client_id}` for any one segment (percent-decoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub path: &'static str,
    pub endpoint: Endpoint,
    pub dialect: Dialect,
}

const fn route(path: &'static str, endpoint: Endpoint) -> Route {
    Route {
        path,
        endpoint,
        dialect: Dialect::Rfc,
    }
}

const fn seed_000(path: &'static str, endpoint: Endpoint) -> Route {
    Route {
        path,
        endpoint,
        dialect: Dialect::Seed000,
    }
}

/// What a request path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub endpoint: Endpoint,
    pub workspace: String,
    pub dialect: Dialect,
    /// The `{client_id}` segment, where the route has one.
    pub client_id: Option<String>,
}

/// The canonical paths, their workspace forms, and the seed aliases (000: `/api/v1/oauth`,
/// 002: `/v1/oauth`, which serve the default workspace; 001's client-credentials example:
/// `/{workspace}/oauth/2/token`).
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route("/oauth2/token", Endpoint::Token),
    route("/{workspace}/oauth2/token", Endpoint::Token),
    seed_000("/api/v1/oauth/token", Endpoint::Token),
    route("/v1/oauth/token", Endpoint::Token),
    route("/{workspace}/oauth/2/token", Endpoint::Token),
    route("/oauth2/revoke", Endpoint::Revocation),
    route("/{workspace}/oauth2/revoke", Endpoint::Revocation),
    route("/oauth2/introspect", Endpoint::Introspection),
    route("/{workspace}/oauth2/introspect", Endpoint::Introspection),
    route("/.well-known/oauth-authorization-server", Endpoint::Metadata),
    route("/.well-known/oauth-authorization-server/{workspace}", Endpoint::Metadata),
    route("/oauth2/authorize", Endpoint::Authorization),
    route("/{workspace}/oauth2/authorize", Endpoint::Authorization),
    seed_000("/api/v1/oauth/authorize", Endpoint::Authorization),
    route("/v1/oauth/authorize", Endpoint::Authorization),
    route("/oauth2/register", Endpoint::Registration),
    route("/{workspace}/oauth2/register", Endpoint::Registration),
    route("/oauth2/register/{client_id}", Endpoint::RegistrationConfiguration),
    route("/{workspace}/oauth2/register/{client_id}", Endpoint::RegistrationConfiguration),
    route("/oauth2/apps", Endpoint::Apps),
    route("/{workspace}/oauth2/apps", Endpoint::Apps),
    route("/.well-known/jwks.json", Endpoint::Jwks),
    route("/{workspace}/.well-known/jwks.json", Endpoint::Jwks),
    route("/.well-known/openid-configuration", Endpoint::OpenIdConfiguration),
    route("/{workspace}/.well-known/openid-configuration", Endpoint::OpenIdConfiguration),
    route("/oauth2/userinfo", Endpoint::UserInfo),
    route("/{workspace}/oauth2/userinfo", Endpoint::UserInfo),
    route("/oauth2/logout", Endpoint::Logout),
    route("/{workspace}/oauth2/logout", Endpoint::Logout),
];

/// The endpoint, workspace and dialect a request path addresses (one trailing slash
/// tolerated), or `None` for a path no route matches: a 404.
pub fn resolve(path: &str) -> Option<Resolved> {
    let path = path.strip_suffix('/').unwrap_or(path);
    ROUTES.iter().find_map(|r| {
        matches(r.path, path).map(|(workspace, client_id)| Resolved {
            endpoint: r.endpoint,
            workspace,
            dialect: r.dialect,
            client_id,
        })
    })
}

fn matches(pattern: &str, path: &str) -> Option<(String, Option<String>)> {
    let (mut pat, mut got) = (pattern.split('/'), path.split('/'));
    let mut ws = DEFAULT_WORKSPACE.to_owned();
    let mut client_id = None;
    loop {
        match (pat.next(), got.next()) {
            (None, None) => return Some((ws, client_id)),
            (Some("{workspace}"), Some(name)) if workspace::is_valid_name(name) => {
                ws = name.to_owned()
            }
            (Some("{client_id}"), Some(id)) if !id.is_empty() => {
                // A path keeps `+` as it is; only percent-escapes are decoded.
                client_id = Some(decode_component(&id.replace('+', "%2B")).ok()?);
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
            ("/acme/oauth/2/token", Endpoint::Token, "acme"),
            ("/oauth2/register", Endpoint::Registration, "default"),
            ("/acme/oauth2/register", Endpoint::Registration, "acme"),
            (
                "/acme/oauth2/register/abc",
                Endpoint::RegistrationConfiguration,
                "acme",
            ),
        ] {
            let r = resolve(path).unwrap_or_else(|| panic!("{path}"));
            assert_eq!((r.endpoint, r.workspace.as_str()), (endpoint, ws), "{path}");
        }
    }

    #[test]
    fn seed_000_paths_speak_its_dialect_and_only_they() {
        for r in ROUTES {
            let seed = r.path.starts_with("/api/v1/oauth/");
            assert_eq!(r.dialect == Dialect::Seed000, seed, "{}", r.path);
        }
    }

    #[test]
    fn the_client_id_segment_is_decoded() {
        let r = resolve("/oauth2/register/a%20b").unwrap();
        assert_eq!(r.endpoint, Endpoint::RegistrationConfiguration);
        assert_eq!(r.client_id.as_deref(), Some("a b"));
        assert_eq!(resolve("/oauth2/register/%ff"), None, "not UTF-8");
        assert_eq!(resolve("/oauth2/token").unwrap().client_id, None);
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
