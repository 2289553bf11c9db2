//! The resource owner password credentials grant (RFC 6749 §4.3), only for clients registered
//! for it. The tokens are written on condition that the login still holds.

use super::issuance::{new_family, Issuer, Minted, TokenResponse};
use super::login::{self, Checked};
use super::Result;
use crate::crypto;
use crate::protocol::client::GrantType;
use crate::protocol::client_auth::{self, Presented};
use crate::protocol::error::OAuthError;
use crate::protocol::resource;
use crate::protocol::scope::Scopes;
use crate::protocol::user::Owner;
use crate::store::{Login, StoreError};

pub(super) async fn grant(
    at: Issuer<'_>,
    workspace: &str,
    presented: &Presented,
    (login, password): (&Login<'_>, &str),
    (scope, resource): (Option<&str>, Option<&str>),
) -> Result<TokenResponse> {
    let state = at.state;
    let (client, found) = state
        .store
        .clients
        .client_and_login(workspace, &presented.client_id, login)
        .await?;
    let client = client_auth::authenticate(presented, client, state.now())?;
    client.ensure_allows(GrantType::Password)?;
    if client.is_public() {
        return Err(OAuthError::unauthorized_client(
            "public clients may not use the password grant (RFC 9700 section 2.4)",
        )
        .into());
    }
    let scope = Scopes::resolve(scope, &client.scopes)?;
    let audience = resource::audience(resource, &client)?;
    let user = match login::check_password(state, workspace, login, found, password).await? {
        Checked::Accepted(user) => user,
        Checked::Wrong => return Err(OAuthError::wrong_credentials().into()),
        Checked::Wait { until } => {
            let left = login::seconds_left(until, state.now());
            return Err(OAuthError::login_throttled(left).into());
        }
        Checked::Locked { until } => {
            let left = login::seconds_left(until, state.now());
            return Err(OAuthError::login_locked(left).into());
        }
    };
    let owner = Owner::from(&user);
    let family = new_family(state, &client, crypto::new_secret());
    let grant = (scope, audience);
    let minted = Minted::new(at, &client, Some(&owner), grant, Some(&family)).await?;
    let now = state.now();
    let started = state
        .store
        .tokens
        .start_family(&family, &minted.records(), (&user, login.source), now)
        .await;
    match started {
        Ok(()) => Ok(minted.into_response(now)),
        // Failures that raced this login locked the account in the meantime.
        Err(StoreError::ConditionFailed) => Err(OAuthError::wrong_credentials().into()),
        Err(e) => Err(e.into()),
    }
}
