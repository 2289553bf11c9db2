//! Refresh tokens (RFC 6749 §6, RFC 9700 §4.14): rotation on every use, reuse detection, and
//! the per-client grace window for a retry after a lost response.

use super::client::Client;
use super::error::OAuthError;
use super::scope::Scopes;
use super::token_record::{TokenKind, TokenRecord};

/// What a well-formed refresh leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshVerdict {
    /// Rotate: the old token is retired on condition it is still current.
    Rotate { scope: Scopes },
    /// The client keeps its refresh token (rotation off): only an access token is issued, on
    /// condition the refresh token is still current.
    Keep { scope: Scopes },
    /// The token was rotated moments ago, within the client's grace window: issue again.
    GraceRetry { scope: Scopes, rotated_at: u64 },
    /// A rotated token presented again: refuse and revoke the whole family.
    Reused,
}

/// Checks a refresh. Reuse of a rotated token revokes its family (`Reused`), and is detected
/// before anything else about the request is judged, so a stolen token sent with a bad
/// `scope` still revokes its family.
pub fn check_refresh(
    token: &TokenRecord,
    client: &Client,
    requested_scope: Option<&str>,
    now: u64,
) -> Result<RefreshVerdict, OAuthError> {
    if token.kind != TokenKind::Refresh
        || token.client_id != client.client_id
        || token.workspace != client.workspace
        || token.expires_at <= now
        || token.family_expires_at.is_some_and(|f| f <= now)
    {
        return Err(OAuthError::invalid_refresh_token());
    }
    let in_grace =
        |at: u64| !token.grace_used && now < at.saturating_add(client.policy.refresh_grace);
    let grace_retry = match token.rotated_at {
        None => None,
        Some(at) if in_grace(at) => Some(at),
        Some(_) => return Ok(RefreshVerdict::Reused),
    };
    // Narrowing is allowed, widening never (§6); scopes the client no longer has are dropped.
    let scope = Scopes::resolve(requested_scope, &token.scope)?.intersection(&client.scopes);
    let keeps = client.policy.keep_refresh_token && !client.is_public();
    Ok(match grace_retry {
        None if keeps => RefreshVerdict::Keep { scope },
        None => RefreshVerdict::Rotate { scope },
        Some(rotated_at) => RefreshVerdict::GraceRetry { scope, rotated_at },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::client::GrantType;

    const NOW: u64 = 1_000_000;

    fn client(grace: u64) -> Client {
        Client {
            workspace: "w".into(),
            grant_types: vec![GrantType::RefreshToken],
            scopes: Scopes::parse("a b").unwrap(),
            policy: crate::protocol::client::ClientPolicy {
                refresh_grace: grace,
                ..Default::default()
            },
            ..Client::example()
        }
    }

    fn refresh(rotated_at: Option<u64>) -> TokenRecord {
        TokenRecord {
            kind: TokenKind::Refresh,
            workspace: "w".into(),
            client_id: "c".into(),
            username: Some("u".into()),
            sub: Some("s".into()),
            scope: Scopes::parse("a b").unwrap(),
            grant_id: Some("g".into()),
            issued_at: NOW - 10,
            expires_at: NOW + 100,
            rotated_at,
            family_expires_at: Some(NOW + 1000),
            grace_used: false,
            successors: vec![],
            user_generation: 0,
            client_generation: 0,
            audience: vec![],
            jwt: false,
        }
    }

    /// What a case expects: a rotation to this scope, a grace retry, reuse, or an error.
    #[derive(Debug, Clone, Copy)]
    enum Want {
        Rotate(&'static str),
        Grace,
        Reused,
        Error(&'static str),
    }
    use Want::*;

    /// (case, rotated this long ago, change to [`refresh`], client's grace window, scope, want)
    type Case = (
        &'static str,
        Option<u64>,
        fn(&mut TokenRecord),
        u64,
        Option<&'static str>,
        Want,
    );

    #[rustfmt::skip]
    const CASES: &[Case] = &[
        ("current", None, |_| {}, 0, None, Rotate("a b")),
        ("narrowed", None, |_| {}, 0, Some("b"), Rotate("b")),
        ("widened", None, |_| {}, 0, Some("a c"), Error("invalid_scope")),
        ("rotated, no grace", Some(1), |_| {}, 0, None, Reused),
        ("rotated, in grace", Some(1), |_| {}, 30, None, Grace),
        ("rotated, grace over", Some(30), |_| {}, 30, None, Reused),
        ("expired", None, |t| t.expires_at = NOW, 0, None, Error("invalid_grant")),
        ("family over", None, |t| t.family_expires_at = Some(NOW), 0, None, Error("invalid_grant")),
        ("access token", None, |t| t.kind = TokenKind::Access, 0, None, Error("invalid_grant")),
        ("other client", None, |t| t.client_id = "x".into(), 0, None, Error("invalid_grant")),
        ("in grace, retry already spent", Some(1), |t| t.grace_used = true, 30, None, Reused),
        ("rotated and widened: reuse wins over the scope error", Some(1), |_| {}, 0, Some("a c"), Reused),
    ];

    #[test]
    fn refresh_table() {
        for (name, ago, change, grace, scope, want) in CASES {
            let mut token = refresh(ago.map(|a| NOW - a));
            change(&mut token);
            let got = check_refresh(&token, &client(*grace), *scope, NOW);
            let ok = match (*want, got) {
                (Rotate(s), Ok(RefreshVerdict::Rotate { scope })) => scope.to_wire() == s,
                (Grace, Ok(RefreshVerdict::GraceRetry { rotated_at, scope })) => {
                    rotated_at == NOW - 1 && scope.to_wire() == "a b"
                }
                (Reused, Ok(RefreshVerdict::Reused)) => true,
                (Error(code), Err(e)) => e.code.as_str() == code,
                _ => false,
            };
            assert!(ok, "{name}: want {want:?}");
        }
    }
}
