//! Registering clients and changing them.

use super::AdminError;
use crate::config::MAX_ACCESS_TOKEN_TTL;
use crate::crypto;
use crate::protocol::client::{self, Client, ClientPolicy, GrantType, PreviousSecret};
use crate::protocol::scope::Scopes;
use crate::protocol::{redirect_uri, workspace};
use crate::store::{ClientStore, StoreError};

/// What an operator asks for when registering a client.
#[derive(Debug, Clone, Default)]
pub struct ClientSpec {
    pub workspace: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    /// Grant type names; empty means `authorization_code` and `refresh_token`.
    pub grant_types: Vec<String>,
    pub scope: Option<String>,
    pub public: bool,
    pub policy: ClientPolicy,
    /// The developer who registers it on the applications page (their subject).
    pub owner: Option<String>,
}

/// A new client and, for a confidential one, its secret: shown once, stored as a digest.
#[derive(Debug, Clone)]
pub struct Registered {
    pub client: Client,
    pub client_secret: Option<String>,
}

/// Checks a spec and builds the client it describes, with fresh credentials.
pub fn build_client(spec: &ClientSpec, now: u64) -> Result<Registered, AdminError> {
    let invalid = |m: &str| Err(AdminError::Invalid(m.into()));
    workspace::validate_name(&spec.workspace).map_err(|e| AdminError::Invalid(e.description))?;
    if let Some(problem) = client::name_problem(spec.name.trim()) {
        return invalid(problem);
    }
    if spec
        .policy
        .access_token_ttl
        .is_some_and(|t| !(60..=MAX_ACCESS_TOKEN_TTL).contains(&t))
    {
        return invalid("access token lifetimes are 60 seconds to 24 hours");
    }
    let grant_types = grant_types(&spec.grant_types)?;
    if let Some(problem) = spec.policy.links.problem() {
        return invalid(problem);
    }
    // Post-logout URIs follow the redirect URIs' rules (OpenID RP-Initiated Logout §3.1).
    redirect_uris(&spec.policy.post_logout_redirect_uris)?;
    let redirect_uris = redirect_uris(&spec.redirect_uris)?;
    if let Some(problem) = client::redirect_count_problem(redirect_uris.len(), &grant_types) {
        return invalid(problem);
    }
    if spec.public && grant_types.contains(&GrantType::ClientCredentials) {
        return invalid("a public client cannot use client_credentials: it has no secret");
    }
    if spec.public && grant_types.contains(&GrantType::Password) {
        return invalid("a public client may not use the password grant (RFC 9700 section 2.4)");
    }
    if spec.public && spec.policy.first_party {
        return invalid(
            "a public client cannot be first-party: anyone can claim its identity (RFC 8252 section 8.6)",
        );
    }
    if spec.public && spec.policy.keep_refresh_token {
        return invalid(
            "a public client's refresh tokens always rotate (RFC 9700 section 4.14.2): only a confidential client may turn rotation off",
        );
    }
    if spec.public && spec.policy.introspect {
        return invalid("a public client cannot introspect: it has no secret to prove who it is");
    }
    let scopes = Scopes::parse(spec.scope.as_deref().unwrap_or(""))
        .map_err(|e| AdminError::Invalid(e.description))?;
    let client_secret = (!spec.public).then(crypto::new_secret);
    let client = Client {
        workspace: spec.workspace.clone(),
        client_id: crypto::random_id(22),
        name: spec.name.trim().to_owned(),
        secret_digest: client_secret.as_deref().map(crypto::digest),
        previous_secret: None,
        registration_token_digest: None,
        owner: spec.owner.clone(),
        redirect_uris,
        grant_types,
        scopes,
        policy: spec.policy.clone(),
        created_at: now,
        // Random: a client re-created under the same id does not revive the old one's tokens.
        generation: crypto::random_u64(),
    };
    Ok(Registered {
        client,
        client_secret,
    })
}

/// Grant type names, each once; none means `authorization_code` and `refresh_token`.
fn grant_types(names: &[String]) -> Result<Vec<GrantType>, AdminError> {
    let defaults = [GrantType::AuthorizationCode, GrantType::RefreshToken];
    if names.is_empty() {
        return Ok(defaults.to_vec());
    }
    let mut grants = Vec::new();
    for name in names {
        let g = GrantType::parse(name).ok_or_else(|| {
            AdminError::Invalid(format!(
                "unknown grant type {name:?}; known: authorization_code, implicit, password, client_credentials, refresh_token"
            ))
        })?;
        if !grants.contains(&g) {
            grants.push(g);
        }
    }
    Ok(grants)
}

/// Redirect URIs that may be registered, each once.
fn redirect_uris(uris: &[String]) -> Result<Vec<String>, AdminError> {
    let mut kept: Vec<String> = Vec::new();
    for uri in uris {
        redirect_uri::validate_registration(uri).map_err(AdminError::Invalid)?;
        if !kept.contains(uri) {
            kept.push(uri.clone());
        }
    }
    Ok(kept)
}

pub async fn create_client(
    store: &dyn ClientStore,
    spec: &ClientSpec,
    now: u64,
) -> Result<Registered, AdminError> {
    let registered = build_client(spec, now)?;
    match store.create_client(&registered.client).await {
        Ok(()) => Ok(registered),
        Err(StoreError::ConditionFailed) => Err(AdminError::Exists(format!(
            "client {}",
            registered.client.client_id
        ))),
        Err(e) => Err(e.into()),
    }
}

/// What a client's registration says, as the spec that would register it again.
pub fn spec_of(client: &Client) -> ClientSpec {
    ClientSpec {
        workspace: client.workspace.clone(),
        name: client.name.clone(),
        redirect_uris: client.redirect_uris.clone(),
        grant_types: client
            .grant_types
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect(),
        scope: Some(client.scopes.to_wire()),
        public: client.is_public(),
        policy: client.policy.clone(),
        owner: client.owner.clone(),
    }
}

/// Changes a registered client's settings by `edit`, checked as a registration is; its id,
/// secret, type (public or confidential) and tokens stay.
pub async fn update_client(
    store: &dyn ClientStore,
    workspace: &str,
    client_id: &str,
    edit: impl FnOnce(&mut ClientSpec),
) -> Result<Client, AdminError> {
    let missing = || AdminError::NotFound(format!("client {client_id} in workspace {workspace}"));
    let current = store
        .client(workspace, client_id)
        .await?
        .ok_or_else(missing)?;
    let mut spec = spec_of(&current);
    edit(&mut spec);
    if spec.public != current.is_public() || spec.workspace != current.workspace {
        return Err(AdminError::Invalid(
            "a client stays public or confidential, in its workspace: register a new one".into(),
        ));
    }
    let built = build_client(&spec, current.created_at)?.client;
    let updated = Client {
        client_id: current.client_id.clone(),
        secret_digest: current.secret_digest.clone(),
        previous_secret: current.previous_secret.clone(),
        registration_token_digest: current.registration_token_digest.clone(),
        owner: current.owner.clone(),
        generation: current.generation,
        ..built
    };
    match store.set_client_settings(&updated).await {
        Err(StoreError::ConditionFailed) => Err(missing()),
        other => other.map(|()| updated).map_err(Into::into),
    }
}

/// Longest overlap `rotate-secret --keep-old` allows: long enough to roll a fleet, short
/// enough that a leaked old secret does not live on.
pub const MAX_SECRET_OVERLAP: u64 = 30 * 24 * 3600;

/// Issues a new secret for a confidential client. The old one stops working at once (after
/// at most `CLIENT_CACHE_SECONDS` in warm functions), or with `keep_old` seconds of overlap
/// it stays accepted that long; any secret an earlier overlap kept ends now.
pub async fn rotate_secret(
    store: &dyn ClientStore,
    (workspace, client_id): (&str, &str),
    keep_old: Option<u64>,
    now: u64,
) -> Result<String, AdminError> {
    let previous = match keep_old {
        None => None,
        Some(secs) if secs == 0 || secs > MAX_SECRET_OVERLAP => {
            return Err(AdminError::Invalid(format!(
                "--keep-old takes 1 to {MAX_SECRET_OVERLAP} seconds"
            )))
        }
        Some(secs) => store
            .client(workspace, client_id)
            .await?
            .and_then(|c| c.secret_digest.clone())
            .map(|digest| PreviousSecret {
                digest,
                until: now + secs,
            }),
    };
    let secret = crypto::new_secret();
    let digest = crypto::digest(&secret);
    match store
        .set_client_secret(workspace, client_id, &digest, previous.as_ref())
        .await
    {
        Ok(()) => Ok(secret),
        Err(StoreError::ConditionFailed) => Err(AdminError::NotFound(format!(
            "confidential client {client_id} in workspace {workspace}"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a client, and with it every token it holds (their standing reads the client);
/// `NotFound` if there is no such client.
pub async fn delete_client(
    store: &dyn ClientStore,
    workspace: &str,
    client_id: &str,
) -> Result<(), AdminError> {
    match store.delete_client(workspace, client_id).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed) => Err(AdminError::NotFound(format!(
            "client {client_id} in workspace {workspace}"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Ends every token of a client (a new generation); `NotFound` if there is no such client.
pub async fn revoke_client_tokens(
    store: &dyn ClientStore,
    workspace: &str,
    client_id: &str,
) -> Result<(), AdminError> {
    let generation = crypto::random_u64();
    match store
        .set_client_generation(workspace, client_id, generation)
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed) => Err(AdminError::NotFound(format!(
            "client {client_id} in workspace {workspace}"
        ))),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ClientSpec {
        ClientSpec {
            workspace: "default".into(),
            name: "App".into(),
            redirect_uris: vec!["https://app.example/cb".into()],
            ..Default::default()
        }
    }

    #[test]
    fn confidential_client_gets_a_secret_stored_as_digest() {
        let r = build_client(&spec(), 1).unwrap();
        let secret = r.client_secret.unwrap();
        assert_eq!(r.client.secret_digest, Some(crypto::digest(&secret)));
        assert_eq!(
            r.client.grant_types,
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        let cases = [
            ClientSpec {
                grant_types: vec!["magic".into()],
                ..spec()
            },
            ClientSpec {
                redirect_uris: vec!["http://app.example/cb".into()],
                ..spec()
            },
            ClientSpec {
                redirect_uris: vec![],
                ..spec()
            },
            ClientSpec {
                workspace: "Bad_WS".into(),
                ..spec()
            },
            ClientSpec {
                public: true,
                grant_types: vec!["client_credentials".into()],
                ..spec()
            },
            ClientSpec {
                public: true,
                grant_types: vec!["authorization_code".into(), "password".into()],
                ..spec()
            },
            ClientSpec {
                public: true,
                policy: ClientPolicy {
                    first_party: true,
                    ..Default::default()
                },
                ..spec()
            },
            ClientSpec {
                scope: Some("a\"b".into()),
                ..spec()
            },
            ClientSpec {
                name: " ".into(),
                ..spec()
            },
            ClientSpec {
                public: true,
                policy: ClientPolicy {
                    introspect: true,
                    ..Default::default()
                },
                ..spec()
            },
        ];
        for c in cases {
            assert!(
                matches!(build_client(&c, 1), Err(AdminError::Invalid(_))),
                "{c:?}"
            );
        }
    }
}
