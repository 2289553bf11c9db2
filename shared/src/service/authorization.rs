//! The authorization endpoint's steps that touch storage: sessions, consents, and issuing the
//! code or (implicit) token a validated request asks for.

use super::issuance::{self, issue_access_token, Issuer};
use super::Result;
use crate::config::AppState;
use crate::crypto;
use crate::protocol::authorization_request::{AuthorizationRequest, ResponseType};
use crate::protocol::authorization_response;
use crate::protocol::client::Client;
use crate::protocol::code_grant::CodeGrant;
use crate::protocol::jwt::IdToken;
use crate::protocol::user::{Consent, Owner, Session, User};

/// The session a cookie value stands for, if it is one of this workspace and still valid
/// (unexpired, and its user's sessions not ended since: read with it).
pub(crate) async fn session(
    state: &AppState,
    workspace: &str,
    value: &str,
) -> Result<Option<Session>> {
    let found = state.store.sessions.session(workspace, value).await?;
    let now = state.now();
    Ok(found
        .filter(|(s, current)| s.is_valid(now, *current))
        .map(|(s, _)| s))
}

/// Starts a session for a user who just logged in; returns the cookie value.
pub(crate) async fn start_session(state: &AppState, user: &User) -> Result<String> {
    // The subject first: the session's read fetches the subject's marker with it.
    let value = format!("{}.{}", user.sub, crypto::new_secret());
    let now = state.now();
    let session = Session {
        workspace: user.workspace.clone(),
        username: user.username.clone(),
        sub: user.sub.clone(),
        auth_time: now,
        expires_at: now + state.settings.session_ttl,
        generation: user.generation,
    };
    state.store.sessions.put_session(&value, &session).await?;
    Ok(value)
}

/// Whether the user must be asked: a public client always (RFC 8252 §8.6: anyone can claim
/// its identity, so the user sees a page every time), a first-party client never, others
/// unless a remembered consent covers every requested scope.
pub(crate) async fn needs_consent(
    state: &AppState,
    client: &Client,
    owner: &Owner,
    request: &AuthorizationRequest,
) -> Result<bool> {
    if client.is_public() {
        return Ok(true);
    }
    if client.policy.first_party {
        return Ok(false);
    }
    let remembered = state
        .store
        .consents
        .consent(&client.workspace, &owner.sub, &client.client_id)
        .await?;
    let now = state.now();
    Ok(!remembered.is_some_and(|c| {
        c.expires_at > now && c.generation == owner.generation && request.scope.is_subset(&c.scopes)
    }))
}

pub(crate) async fn remember_consent(
    state: &AppState,
    client: &Client,
    owner: &Owner,
    request: &AuthorizationRequest,
) -> Result<()> {
    let consent = Consent {
        scopes: request.scope.clone(),
        expires_at: state.now() + state.settings.consent_ttl,
        generation: owner.generation,
    };
    let (ws, id) = (&client.workspace, &client.client_id);
    state
        .store
        .consents
        .add_consent(ws, &owner.sub, id, &consent)
        .await?;
    Ok(())
}

/// Issues what the request asked for and returns the URL to send the browser to.
pub(crate) async fn complete(
    state: &AppState,
    client: &Client,
    request: &AuthorizationRequest,
    session: &Session,
    issuer: &str,
) -> Result<String> {
    let owner = &session.owner();
    let at = Issuer { state, url: issuer };
    let mut params = match request.response_type {
        ResponseType::Code => {
            let code = issue_code(state, client, request, session).await?;
            vec![("code", code)]
        }
        ResponseType::IdToken => vec![],
        ResponseType::Token | ResponseType::IdTokenToken => {
            let grant = (request.scope.clone(), request.audience.clone());
            let token = issue_access_token(at, client, Some(owner), grant).await?;
            let mut params = vec![
                ("access_token", token.access_token),
                ("token_type", token.token_type.to_owned()),
                ("expires_in", token.expires_in.to_string()),
            ];
            params.extend(token.scope.map(|s| ("scope", s)));
            params
        }
    };
    if request.response_type.has_id_token() {
        let id_token = implicit_id_token(at, client, request, session, &params).await?;
        params.push(("id_token", id_token));
    }
    Ok(authorization_response::success_url(
        &request.return_to,
        params,
        issuer,
    ))
}

/// OpenID Connect Core §3.2.2.10: the implicit ID token, with `nonce`, `at_hash` beside an
/// access token, and the user's claims when no access token can fetch them (§5.4).
async fn implicit_id_token(
    at: Issuer<'_>,
    client: &Client,
    request: &AuthorizationRequest,
    session: &Session,
    params: &[(&str, String)],
) -> Result<String> {
    let access_token = params
        .iter()
        .find(|(k, _)| *k == "access_token")
        .map(|(_, v)| v.as_str());
    let claims = match access_token {
        Some(_) => Default::default(),
        None => {
            let user = at
                .state
                .store
                .users
                .user(&session.workspace, &session.username)
                .await?;
            user.filter(|u| u.sub == session.sub)
                .map(|u| u.claims(&request.scope))
                .unwrap_or_default()
        }
    };
    let now = at.state.now();
    let t = IdToken {
        issuer: at.url,
        client_id: &client.client_id,
        sub: &session.sub,
        auth_time: session.auth_time,
        nonce: request.nonce.as_deref(),
        issued_at: now,
        expires_at: now + issuance::id_token_ttl(at.state, client),
        access_token,
        claims,
    };
    issuance::id_token(at, client, t).await
}

/// A new code bound to the client, redirect URI, scope, user and PKCE challenge; its value.
async fn issue_code(
    state: &AppState,
    client: &Client,
    request: &AuthorizationRequest,
    session: &Session,
) -> Result<String> {
    let owner = &session.owner();
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
        expires_at: state.now() + state.settings.code_ttl,
        used: false,
        user_generation: owner.generation,
        audience: request.audience.clone(),
        nonce: request.nonce.clone(),
        auth_time: session.auth_time,
    };
    state.store.codes.put_code(&code, &grant).await?;
    Ok(code)
}
