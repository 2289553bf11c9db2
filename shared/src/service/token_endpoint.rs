//! The token endpoint (RFC 6749 §3.2): parse the grant, authenticate the client, hand over to
//! the grant. DynamoDB round trips per grant (cold client cache / warm): client_credentials
//! 2 / 1 (client read, token put); authorization_code, refresh_token and password 2 / 2 (the
//! client and the code, token or user in one batch read, then one transaction); a failed
//! password adds the lockout counter's write.

pub use super::issuance::TokenResponse;
use super::issuance::{issue_access_token, Issuer};
use super::{client_authentication, code_exchange, password_grant, refresh, Result};
use crate::config::AppState;
use crate::protocol::client::GrantType;
use crate::protocol::client_auth::{self, Presented};
use crate::protocol::form::Form;
use crate::protocol::resource;
use crate::protocol::scope::Scopes;
use crate::protocol::token_request::{self, GrantRequest};
use crate::protocol::token_value::TokenName;
use crate::store::Login;

/// Who sent a token request, as the HTTP edge read it.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub workspace: &'a str,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The source address (failed logins are counted per account and source).
    pub source: &'a str,
    /// The workspace's issuer identifier (a JWT's `iss`).
    pub issuer: &'a str,
}

/// Handles one token request, after the HTTP edge has parsed it.
pub async fn token(state: &AppState, caller: &Caller<'_>, form: &Form) -> Result<TokenResponse> {
    let workspace = caller.workspace;
    let offered = &state.settings.deployment;
    offered.ensure_grant(token_request::grant_type(form)?)?;
    let grant = GrantRequest::parse(form)?;
    // A refresh token names its client: a public client may send it alone (RFC 6749 §6).
    let named = match &grant {
        GrantRequest::RefreshToken { refresh_token, .. } => {
            TokenName::parse(refresh_token).map(|n| n.client_id)
        }
        _ => None,
    };
    let presented = client_auth::presented(caller.authorization, form, named.as_deref())?;
    let at = Issuer {
        state,
        url: caller.issuer,
    };
    // RFC 8707: the resource the tokens are for.
    let resource = form.get("resource");
    match grant {
        GrantRequest::ClientCredentials { scope } => {
            client_credentials(at, workspace, &presented, (scope.as_deref(), resource)).await
        }
        GrantRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            let bound = (redirect_uri.as_deref(), code_verifier.as_deref());
            code_exchange::exchange(at, workspace, &presented, &code, bound, resource).await
        }
        GrantRequest::RefreshToken {
            refresh_token,
            scope,
        } => {
            let asked = (scope.as_deref(), resource);
            refresh::refresh(at, workspace, &presented, &refresh_token, asked).await
        }
        GrantRequest::Password {
            username,
            password,
            scope,
        } => {
            let login = Login {
                username: &username,
                source: caller.source,
            };
            let asked = (scope.as_deref(), resource);
            password_grant::grant(at, workspace, &presented, (&login, &password), asked).await
        }
    }
}

/// RFC 6749 §4.4: an access token for the client itself, never a refresh token.
async fn client_credentials(
    at: Issuer<'_>,
    workspace: &str,
    presented: &Presented,
    (scope, resource): (Option<&str>, Option<&str>),
) -> Result<TokenResponse> {
    let client =
        client_authentication::authenticate_presented(at.state, workspace, presented).await?;
    client.ensure_allows(GrantType::ClientCredentials)?;
    let scope = Scopes::resolve(scope, &client.scopes)?;
    let audience = resource::audience(resource, &client)?;
    issue_access_token(at, &client, None, (scope, audience)).await
}
