//! The applications page's use cases (seed 001's `/{workspace}/oauth2/apps`): a signed-in user
//! with the developer role lists, creates, changes, deletes and rotates the secret of the
//! applications they own. Another's application, or one an operator registered, does not
//! exist here.

use super::admin::{self, AdminError, ClientSpec, Registered};
use super::Result;
use crate::config::AppState;
use crate::protocol::client::{Client, ClientPolicy, GrantType};
use crate::protocol::client_auth::MAX_CLIENT_ID;
use crate::protocol::user::{Role, Session, User};
use std::sync::Arc;

/// What a developer may set: the grants of applications that act for a user who consents.
/// Client credentials (tokens with no user and no consent) and the password grant are for
/// clients an operator registers.
const GRANTS: [&str; 3] = ["authorization_code", "refresh_token", "implicit"];

/// The grants the page offers: [`GRANTS`] that this deployment offers (`GRANT_TYPES`).
pub fn offered_grants(state: &AppState) -> Vec<&'static str> {
    GRANTS
        .into_iter()
        .filter(|g| GrantType::parse(g).is_some_and(|g| state.settings.deployment.enables(g)))
        .collect()
}

/// The page's form, read.
#[derive(Debug, Clone, Default)]
pub struct AppForm {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    pub scope: Vec<String>,
    pub public: bool,
}

/// Why the page cannot do what was asked, in words for the developer.
#[derive(Debug, thiserror::Error)]
pub enum AppsError {
    #[error("{0}")]
    Invalid(String),
    #[error("no such application")]
    NotFound,
    #[error(transparent)]
    Service(#[from] super::Error),
}

impl From<AdminError> for AppsError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Invalid(m) => Self::Invalid(m),
            AdminError::NotFound(_) => Self::NotFound,
            AdminError::Exists(_) => Self::Invalid("that application exists already".into()),
            AdminError::Storage(e) => Self::Service(e.into()),
        }
    }
}

/// The session's user, if it still is a developer of the workspace (read afresh: a role taken
/// away, or an account disabled, counts at once).
pub async fn developer(state: &AppState, session: &Session) -> Result<Option<User>> {
    let user = state
        .store
        .users
        .user(&session.workspace, &session.username)
        .await?;
    Ok(user.filter(|u| u.sub == session.sub && !u.disabled && u.roles.contains(&Role::Developer)))
}

/// The scopes a developer may give an application: the deployment's `SCOPES_SUPPORTED`.
pub fn offered_scopes(state: &AppState) -> &[String] {
    &state.settings.scopes_supported
}

fn spec(
    state: &AppState,
    owner: &User,
    form: &AppForm,
) -> std::result::Result<ClientSpec, AppsError> {
    if let Some(g) = form
        .grant_types
        .iter()
        .find(|g| !offered_grants(state).contains(&g.as_str()))
    {
        return Err(AppsError::Invalid(format!(
            "the {g} grant is not available here"
        )));
    }
    if form.grant_types.is_empty() {
        return Err(AppsError::Invalid("choose at least one grant type".into()));
    }
    let offered = offered_scopes(state);
    if let Some(s) = form.scope.iter().find(|s| !offered.contains(s)) {
        return Err(AppsError::Invalid(format!(
            "the scope {s} is not offered here"
        )));
    }
    Ok(ClientSpec {
        workspace: owner.workspace.clone(),
        name: form.name.clone(),
        redirect_uris: form.redirect_uris.clone(),
        grant_types: form.grant_types.clone(),
        scope: Some(form.scope.join(" ")),
        public: form.public,
        policy: ClientPolicy {
            require_pkce: true,
            ..Default::default()
        },
        owner: Some(owner.sub.clone()),
    })
}

/// The developer's applications, by name.
pub async fn list(state: &AppState, owner: &User) -> Result<Vec<Client>> {
    let mut mine: Vec<Client> = state
        .store
        .clients
        .clients(&owner.workspace)
        .await?
        .into_iter()
        .filter(|c| c.owner.as_deref() == Some(owner.sub.as_str()))
        .collect();
    mine.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(mine)
}

/// A new application owned by `owner`; its secret is returned this once.
pub async fn create(
    state: &AppState,
    owner: &User,
    form: &AppForm,
) -> std::result::Result<Registered, AppsError> {
    let spec = spec(state, owner, form)?;
    match admin::create_client(&*state.store.clients, &spec, state.now()).await {
        // A fresh random id taken meanwhile: as unlikely as it sounds, and harmless to retry.
        Err(AdminError::Exists(_)) => {
            Err(AppsError::Invalid("that did not work; try again".into()))
        }
        other => Ok(other?),
    }
}

/// The application `client_id` if `owner` owns it.
async fn owned(
    state: &AppState,
    owner: &User,
    client_id: &str,
) -> std::result::Result<Arc<Client>, AppsError> {
    // Longer ids exist nowhere (and DynamoDB refuses such keys).
    if client_id.len() > MAX_CLIENT_ID {
        return Err(AppsError::NotFound);
    }
    let client = state
        .store
        .clients
        .client(&owner.workspace, client_id)
        .await
        .map_err(super::Error::from)?;
    client
        .filter(|c| c.owner.as_deref() == Some(owner.sub.as_str()))
        .ok_or(AppsError::NotFound)
}

/// New settings for an owned application (it stays public or confidential).
pub async fn update(
    state: &AppState,
    owner: &User,
    client_id: &str,
    form: &AppForm,
) -> std::result::Result<Client, AppsError> {
    let current = owned(state, owner, client_id).await?;
    let wanted = AppForm {
        public: current.is_public(),
        ..form.clone()
    };
    let spec = spec(state, owner, &wanted)?;
    let clients = &*state.store.clients;
    // What the operator set beyond these settings (lifetimes, audience, rotation) stays.
    let edit = |s: &mut ClientSpec| {
        *s = ClientSpec {
            policy: s.policy.clone(),
            ..spec
        }
    };
    Ok(admin::update_client(clients, &owner.workspace, client_id, edit).await?)
}

/// Deletes an owned application, and with it every token it holds.
pub async fn delete(
    state: &AppState,
    owner: &User,
    client_id: &str,
) -> std::result::Result<(), AppsError> {
    owned(state, owner, client_id).await?;
    match admin::delete_client(&*state.store.clients, &owner.workspace, client_id).await {
        // Deleted meanwhile (another tab): what was asked is done.
        Ok(()) | Err(AdminError::NotFound(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A new secret for an owned confidential application; the old one stops working.
pub async fn rotate_secret(
    state: &AppState,
    owner: &User,
    client_id: &str,
) -> std::result::Result<String, AppsError> {
    let app = owned(state, owner, client_id).await?;
    if app.is_public() {
        return Err(AppsError::Invalid(
            "a public application has no secret".into(),
        ));
    }
    let key = (owner.workspace.as_str(), client_id);
    Ok(admin::rotate_secret(&*state.store.clients, key, None, state.now()).await?)
}
