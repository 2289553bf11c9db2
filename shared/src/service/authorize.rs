//! The authorization endpoint's steps that touch storage: sessions, consents, and issuing the
//! code or (implicit) token a validated request asks for.

use super::token::issue_implicit;
use crate::config::{now, AppState};
use crate::crypto;
use crate::protocol::authorize::{AuthorizationRequest, ResponseType, ReturnTo};
use crate::protocol::error::{Error, OAuthError};
use crate::protocol::model::{Client, CodeGrant, Owner, Session, User};
use crate::protocol::scope::Scopes;

/// The session a cookie value stands for, if it is one of this workspace and still valid.
pub async fn session(
    state: &AppState,
    workspace: &str,
    value: &str,
) -> Result<Option<Session>, Error> {
    let s = state.store.session(workspace, value).await?;
    Ok(s.filter(|s| s.expires_at > now()))
}

/// Starts a session for a user who just logged in; returns the cookie value.
pub async fn start_session(state: &AppState, user: &User) -> Result<(String, Session), Error> {
    let value = crypto::new_secret();
    let now = now();
    let session = Session {
        workspace: user.workspace.clone(),
        username: user.username.clone(),
        sub: user.sub.clone(),
        auth_time: now,
        expires_at: now + state.settings.session_ttl,
    };
    state.store.put_session(&value, &session).await?;
    Ok((value, session))
}

/// Whether the user must be asked: first-party clients never, others unless a remembered
/// consent covers every requested scope.
pub async fn needs_consent(
    state: &AppState,
    client: &Client,
    sub: &str,
    scope: &Scopes,
) -> Result<bool, Error> {
    if client.first_party {
        return Ok(false);
    }
    let remembered = state
        .store
        .consent(&client.workspace, sub, &client.client_id)
        .await?;
    Ok(!remembered
        .is_some_and(|(allowed, expires_at)| expires_at > now() && scope.is_subset(&allowed)))
}

pub async fn remember_consent(
    state: &AppState,
    client: &Client,
    sub: &str,
    scope: &Scopes,
) -> Result<(), Error> {
    let expires_at = now() + state.settings.consent_ttl;
    state
        .store
        .add_consent(&client.workspace, sub, &client.client_id, scope, expires_at)
        .await?;
    Ok(())
}

/// Issues what the request asked for and returns the URL to send the browser to.
pub async fn complete(
    state: &AppState,
    client: &Client,
    request: &AuthorizationRequest,
    owner: &Owner,
    issuer: &str,
) -> Result<String, Error> {
    let mut params: Vec<(&str, String)> = Vec::new();
    match request.response_type {
        ResponseType::Code => {
            let code = crypto::new_secret();
            let grant = CodeGrant {
                workspace: client.workspace.clone(),
                client_id: client.client_id.clone(),
                redirect_uri: request
                    .redirect_uri_named
                    .then(|| request.return_to.redirect_uri.clone()),
                scope: request.scope.clone(),
                username: owner.username.clone(),
                sub: owner.sub.clone(),
                challenge: request.challenge.clone(),
                grant_id: crypto::new_secret(),
                expires_at: now() + state.settings.code_ttl,
                used: false,
            };
            state.store.put_code(&code, &grant).await?;
            params.push(("code", code));
        }
        ResponseType::Token => {
            let token = issue_implicit(state, client, owner, request.scope.clone()).await?;
            params.push(("access_token", token.access_token));
            params.push(("token_type", token.token_type.to_owned()));
            params.push(("expires_in", token.expires_in.to_string()));
            if let Some(scope) = token.scope {
                params.push(("scope", scope));
            }
        }
    }
    Ok(return_url(&request.return_to, params, issuer))
}

/// The client's redirect URI with an error (RFC 6749 §4.1.2.1, §4.2.2.1).
pub fn error_url(to: &ReturnTo, error: &OAuthError, issuer: &str) -> String {
    let params = vec![
        ("error", error.code.as_str().to_owned()),
        ("error_description", error.description.clone()),
    ];
    return_url(to, params, issuer)
}

/// Appends the response parameters, `state` and RFC 9207's `iss` to the redirect URI, in its
/// query or (implicit) its fragment.
fn return_url(to: &ReturnTo, mut params: Vec<(&str, String)>, issuer: &str) -> String {
    if let Some(state) = &to.state {
        params.push(("state", state.clone()));
    }
    params.push(("iss", issuer.to_owned()));
    let encoded = serde_urlencoded::to_string(&params).unwrap_or_default();
    let separator = if to.in_fragment {
        '#'
    } else if to.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{separator}{encoded}", to.redirect_uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(uri: &str, fragment: bool) -> ReturnTo {
        ReturnTo {
            redirect_uri: uri.into(),
            in_fragment: fragment,
            state: Some("a b&c".into()),
        }
    }

    #[test]
    fn return_urls_encode_and_place_parameters() {
        let e = OAuthError::new(crate::protocol::error::ErrorCode::AccessDenied, "no");
        assert_eq!(
            error_url(&to("https://a/cb", false), &e, "https://as"),
            "https://a/cb?error=access_denied&error_description=no&state=a+b%26c&iss=https%3A%2F%2Fas"
        );
        assert!(error_url(&to("https://a/cb?x=1", false), &e, "i")
            .starts_with("https://a/cb?x=1&error="));
        assert!(error_url(&to("https://a/cb", true), &e, "i").starts_with("https://a/cb#error="));
    }
}
