//! Self-service registration (RFC 7591), opened by an initial access token, and management of
//! a registration with its registration access token (RFC 7592).

use super::admin::{self, ClientSpec};
use super::Result;
use crate::config::AppState;
use crate::crypto;
use crate::protocol::client::{Client, ClientPolicy};
use crate::protocol::client_auth::MAX_CLIENT_ID;
use crate::protocol::error::OAuthError;
use crate::protocol::registration::{self, ClientMetadata, RegistrationGrant};
use crate::protocol::scope::Scopes;
use crate::store::StoreError;
use std::sync::Arc;

/// A registration as the endpoints answer it (RFC 7591 §3.2.1, RFC 7592 §3): the client, its
/// secret when one was just issued, and its registration access token.
#[derive(Debug)]
pub struct Registration {
    pub client: Client,
    pub client_secret: Option<String>,
    pub registration_access_token: String,
}

/// What registered clients are given, whatever they ask: PKCE, the consent page, rotation;
/// their scope is at most `allowed`, and all of it when they name none.
fn spec_for(m: &ClientMetadata, workspace: &str, allowed: &Scopes) -> Result<ClientSpec> {
    let scope = match &m.scope {
        None => allowed.clone(),
        Some(s) if s.is_subset(allowed) => s.clone(),
        Some(_) => {
            return Err(OAuthError::invalid_client_metadata(
                "scope asks for more than this registration allows",
            )
            .into())
        }
    };
    Ok(ClientSpec {
        workspace: workspace.to_owned(),
        name: m
            .client_name
            .clone()
            .unwrap_or_else(|| "Registered application".into()),
        redirect_uris: m.redirect_uris.clone(),
        grant_types: m
            .grant_types
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect(),
        scope: Some(scope.to_wire()),
        public: m.is_public(),
        policy: ClientPolicy {
            require_pkce: true,
            links: m.links.clone(),
            ..Default::default()
        },
        owner: None,
    })
}

/// Metadata the protocol accepted but `build_client` refuses in combination.
fn not_registrable(_: admin::AdminError) -> super::Error {
    OAuthError::invalid_client_metadata("these client metadata cannot be registered together")
        .into()
}

/// RFC 7591 §3: registers a client with the initial access token `initial`; the answer
/// (§3.2.1) holds its secret and registration access token, shown this once.
pub async fn register(
    state: &AppState,
    workspace: &str,
    initial: Option<&str>,
    body: &[u8],
) -> Result<Registration> {
    let initial = initial.ok_or_else(OAuthError::registration_token_required)?;
    let grant = usable_grant(state, workspace, initial).await?;
    let m = registration::parse(body, &state.settings.deployment)?;
    let spec = spec_for(&m, workspace, &grant.scope)?;
    let built = admin::build_client(&spec, state.now()).map_err(not_registrable)?;
    let token = crypto::new_secret();
    let client = Client {
        registration_token_digest: Some(crypto::digest(&token)),
        ..built.client
    };
    // A lost race with another registration on the same token is tried again while the token
    // still has a use; one that was spent or expired meanwhile is refused.
    let mut attempts = 0;
    loop {
        let registrations = &state.store.registrations;
        match registrations
            .register_client(&client, initial, state.now())
            .await
        {
            Ok(()) => break,
            Err(StoreError::ConditionFailed) if attempts < 3 => {
                attempts += 1;
                usable_grant(state, workspace, initial).await?;
            }
            Err(StoreError::ConditionFailed) => {
                return Err(OAuthError::invalid_registration_token().into())
            }
            Err(e) => return Err(e.into()),
        }
    }
    tracing::info!(workspace, client_id = %client.client_id, "client registered");
    Ok(Registration {
        client,
        client_secret: built.client_secret,
        registration_access_token: token,
    })
}

async fn usable_grant(state: &AppState, workspace: &str, value: &str) -> Result<RegistrationGrant> {
    let grant = state
        .store
        .registrations
        .registration_grant(workspace, value)
        .await?;
    grant
        .filter(|g| g.is_usable(state.now()))
        .ok_or_else(|| OAuthError::invalid_registration_token().into())
}

/// The client whose registration `token` manages. An unknown client, one that did not
/// register itself, and a wrong token all read the same (RFC 7592 §3: 401).
async fn managed(
    state: &AppState,
    workspace: &str,
    client_id: &str,
    token: Option<&str>,
) -> Result<Arc<Client>> {
    let refused = || OAuthError::invalid_registration_token();
    let token = token.ok_or_else(OAuthError::registration_token_required)?;
    // Longer ids exist nowhere (and DynamoDB refuses such keys).
    if client_id.len() > MAX_CLIENT_ID {
        return Err(refused().into());
    }
    let client = state.store.clients.client(workspace, client_id).await?;
    client
        .filter(|c| {
            c.registration_token_digest
                .as_deref()
                .is_some_and(|d| crypto::secret_matches(token, d))
        })
        .ok_or_else(|| refused().into())
}

/// RFC 7592 §2.1. The answer carries the registration access token (§3; it is not rotated).
pub async fn read(
    state: &AppState,
    workspace: &str,
    client_id: &str,
    token: Option<&str>,
) -> Result<Registration> {
    let client = managed(state, workspace, client_id, token).await?;
    Ok(Registration {
        client: (*client).clone(),
        client_secret: None,
        registration_access_token: token.unwrap_or_default().to_owned(),
    })
}

/// RFC 7592 §2.2: the metadata sent replace the registered ones; what is left out takes the
/// default (the scope: what the client has). Its id, secret, type and tokens stay.
pub async fn update(
    state: &AppState,
    workspace: &str,
    client_id: &str,
    token: Option<&str>,
    body: &[u8],
) -> Result<Registration> {
    let current = managed(state, workspace, client_id, token).await?;
    let m = registration::parse(body, &state.settings.deployment)?;
    if m.client_id.as_deref() != Some(client_id) {
        return Err(
            OAuthError::invalid_request("client_id must be the registered client's").into(),
        );
    }
    let secret_differs = m
        .client_secret
        .as_deref()
        .is_some_and(|s| !current.accepts_secret(s, state.now()));
    if secret_differs || m.is_public() != current.is_public() {
        return Err(OAuthError::invalid_client_metadata(
            "client_secret and token_endpoint_auth_method cannot be changed: register a new client",
        )
        .into());
    }
    if m.grant_types.iter().any(|g| !current.allows(*g)) {
        return Err(OAuthError::invalid_client_metadata(
            "grant_types may narrow what is registered, never widen it",
        )
        .into());
    }
    let spec = spec_for(&m, workspace, &current.scopes)?;
    // What the operator set beyond the metadata (lifetimes, audience, rotation) stays.
    let edit = |s: &mut ClientSpec| {
        *s = ClientSpec {
            policy: s.policy.clone(),
            ..spec
        }
    };
    let clients = &*state.store.clients;
    let updated = match admin::update_client(clients, workspace, client_id, edit).await {
        Ok(c) => c,
        Err(admin::AdminError::NotFound(_)) => {
            return Err(OAuthError::invalid_registration_token().into())
        }
        Err(admin::AdminError::Storage(e)) => return Err(e.into()),
        Err(e) => return Err(not_registrable(e)),
    };
    Ok(Registration {
        client: updated,
        client_secret: None,
        registration_access_token: token.unwrap_or_default().to_owned(),
    })
}

/// RFC 7592 §2.3: the client is deleted, and with it every token it holds.
pub async fn delete(
    state: &AppState,
    workspace: &str,
    client_id: &str,
    token: Option<&str>,
) -> Result<()> {
    managed(state, workspace, client_id, token).await?;
    match admin::delete_client(&*state.store.clients, workspace, client_id).await {
        // Deleted meanwhile (a concurrent DELETE): what was asked is done.
        Ok(()) | Err(admin::AdminError::NotFound(_)) => Ok(()),
        Err(admin::AdminError::Storage(e)) => Err(e.into()),
        Err(e) => Err(not_registrable(e)),
    }
}
