//! The in-memory adapter: the same conditional semantics as the DynamoDB one (single use,
//! rotation, lockout counting, expiry checked on every conditional write, items kept past
//! their expiry as TTL would keep them), under one lock, so every write is atomic. It serves
//! fast service tests; the contract suite holds it to the DynamoDB adapter's behaviour.

mod grants;
mod keys;
mod registration;
mod users;
mod workspaces;

use super::{
    consent_key, grant_key, secret_key, subject_key, ClientStore, ConsentStore, Login, LoginState,
    SessionStore, StoreError, StoreResult, MAX_CLIENTS_AT_ONCE,
};
use crate::protocol::client::{Client, PreviousSecret};
use crate::protocol::code_grant::CodeGrant;
use crate::protocol::login::Attempts;
use crate::protocol::registration::RegistrationGrant;
use crate::protocol::token_record::{TokenRecord, TokenStanding};
use crate::protocol::token_value::TokenName;
use crate::protocol::user::{Consent, Session, User};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

/// A family's grant item: the revocation marker every rotation checks.
#[derive(Debug, Clone, Copy)]
struct GrantMarker {
    revoked: bool,
}

#[derive(Debug, Default)]
struct Data {
    /// By (workspace, client_id), ordered as DynamoDB orders a workspace's items.
    clients: BTreeMap<(String, String), Client>,
    users: BTreeMap<(String, String), User>,
    /// By [`secret_key`] of the value, as in DynamoDB.
    codes: HashMap<String, CodeGrant>,
    tokens: HashMap<String, TokenRecord>,
    grants: HashMap<String, GrantMarker>,
    /// Each subject's generation, by [`subject_key`] (absent: 0).
    subjects: HashMap<String, u64>,
    sessions: HashMap<String, Session>,
    /// Spent form ids by [`crate::store::form_key`], with when they may be forgotten.
    spent_forms: HashMap<String, u64>,
    /// Failed logins by [`crate::store::attempts_key`].
    attempts: HashMap<String, Attempts>,
    consents: HashMap<String, Consent>,
    /// Initial access tokens, by [`secret_key`] of the value.
    registration_grants: HashMap<String, RegistrationGrant>,
    keyring: Option<crate::protocol::keyring::Keyring>,
    /// Each workspace's branding and scope descriptions.
    workspaces: HashMap<String, crate::protocol::branding::WorkspaceConfig>,
}

impl Data {
    fn subject_generation(&self, workspace: &str, sub: &str) -> u64 {
        let key = subject_key(workspace, sub);
        self.subjects.get(&key).copied().unwrap_or(0)
    }

    fn client_generation(&self, workspace: &str, client_id: &str) -> Option<u64> {
        let client = self.clients.get(&pair(workspace, client_id))?;
        Some(client.generation)
    }

    /// The token named by `value` with the records its standing depends on.
    fn standing(&self, workspace: &str, value: &str) -> Option<TokenStanding> {
        let name = TokenName::parse(value)?;
        let token = by_secret(&self.tokens, workspace, value)?;
        let family = name.grant_id.as_ref().map(|g| {
            let marker = self.grants.get(&grant_key(workspace, g));
            marker.is_none_or(|m| m.revoked)
        });
        let client = self.clients.get(&pair(workspace, &name.client_id)).cloned();
        Some(TokenStanding {
            token,
            family_revoked: family,
            subject_generation: name.sub.map(|s| self.subject_generation(workspace, &s)),
            client: client.map(Arc::new),
        })
    }
}

#[derive(Debug, Default)]
pub struct MemoryStore {
    data: Mutex<Data>,
}

impl MemoryStore {
    /// How many items the store holds in all (tests check that bad input writes nothing).
    pub fn item_count(&self) -> usize {
        self.data().map_or(0, |d| {
            d.clients.len()
                + d.users.len()
                + d.codes.len()
                + d.tokens.len()
                + d.grants.len()
                + d.subjects.len()
                + d.sessions.len()
                + d.spent_forms.len()
                + d.attempts.len()
                + d.consents.len()
        })
    }

    /// A client and another item, read under one lock (one round trip, in DynamoDB).
    fn client_and<T>(
        &self,
        workspace: &str,
        client_id: &str,
        item: impl FnOnce(&Data) -> Option<T>,
    ) -> StoreResult<(Option<Arc<Client>>, Option<T>)> {
        let data = self.data()?;
        let client = data.clients.get(&pair(workspace, client_id)).cloned();
        Ok((client.map(Arc::new), item(&data)))
    }

    fn data(&self) -> StoreResult<MutexGuard<'_, Data>> {
        self.data
            .lock()
            .map_err(|_| StoreError::Backend("in-memory store poisoned".into()))
    }
}

fn pair(workspace: &str, name: &str) -> (String, String) {
    (workspace.to_owned(), name.to_owned())
}

/// A secret-bearing item (code, token, session), by the digest of its value.
fn by_secret<T: Clone>(map: &HashMap<String, T>, workspace: &str, value: &str) -> Option<T> {
    map.get(&secret_key(workspace, value)).cloned()
}

/// `ConditionFailed` unless `ok`.
fn require(ok: bool) -> StoreResult<()> {
    if ok {
        Ok(())
    } else {
        Err(StoreError::ConditionFailed)
    }
}

/// The items of one workspace, in key order.
fn in_workspace<T: Clone>(map: &BTreeMap<(String, String), T>, workspace: &str) -> Vec<T> {
    map.iter()
        .filter(|((ws, _), _)| ws == workspace)
        .map(|(_, v)| v.clone())
        .collect()
}

#[async_trait]
impl ClientStore for MemoryStore {
    async fn create_client(&self, client: &Client) -> StoreResult<()> {
        let mut data = self.data()?;
        let key = pair(&client.workspace, &client.client_id);
        require(!data.clients.contains_key(&key))?;
        data.clients.insert(key, client.clone());
        Ok(())
    }

    async fn create_clients(&self, clients: &[Client]) -> StoreResult<()> {
        let mut data = self.data()?;
        let mut keys: Vec<_> = clients
            .iter()
            .map(|c| pair(&c.workspace, &c.client_id))
            .collect();
        let fresh = keys.iter().all(|k| !data.clients.contains_key(k));
        keys.sort();
        keys.dedup();
        require(fresh && keys.len() == clients.len() && clients.len() <= MAX_CLIENTS_AT_ONCE)?;
        for c in clients {
            data.clients
                .insert(pair(&c.workspace, &c.client_id), c.clone());
        }
        Ok(())
    }

    async fn client(&self, workspace: &str, client_id: &str) -> StoreResult<Option<Arc<Client>>> {
        let data = self.data()?;
        Ok(data
            .clients
            .get(&pair(workspace, client_id))
            .cloned()
            .map(Arc::new))
    }

    async fn clients(&self, workspace: &str) -> StoreResult<Vec<Client>> {
        Ok(in_workspace(&self.data()?.clients, workspace))
    }

    async fn delete_client(&self, workspace: &str, client_id: &str) -> StoreResult<()> {
        let removed = self.data()?.clients.remove(&pair(workspace, client_id));
        require(removed.is_some())
    }

    async fn set_client_secret(
        &self,
        workspace: &str,
        client_id: &str,
        digest: &str,
        previous: Option<&PreviousSecret>,
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        let client = data.clients.get_mut(&pair(workspace, client_id));
        let replaces = |c: &Client| match previous {
            None => c.secret_digest.is_some(),
            Some(p) => c.secret_digest.as_deref() == Some(p.digest.as_str()),
        };
        match client {
            Some(c) if replaces(c) => {
                c.secret_digest = Some(digest.to_owned());
                c.previous_secret = previous.cloned();
                Ok(())
            }
            _ => Err(StoreError::ConditionFailed),
        }
    }

    async fn set_client_settings(&self, client: &Client) -> StoreResult<()> {
        let mut data = self.data()?;
        let stored = data
            .clients
            .get_mut(&pair(&client.workspace, &client.client_id));
        require(stored.is_some())?;
        if let Some(c) = stored {
            *c = Client {
                secret_digest: c.secret_digest.take(),
                previous_secret: c.previous_secret.take(),
                registration_token_digest: c.registration_token_digest.take(),
                owner: c.owner.take(),
                created_at: c.created_at,
                generation: c.generation,
                ..client.clone()
            };
        }
        Ok(())
    }

    async fn set_client_generation(
        &self,
        workspace: &str,
        client_id: &str,
        generation: u64,
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        let client = data.clients.get_mut(&pair(workspace, client_id));
        require(client.is_some())?;
        if let Some(c) = client {
            c.generation = generation;
        }
        Ok(())
    }

    async fn client_and_code(
        &self,
        workspace: &str,
        client_id: &str,
        code: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<CodeGrant>)> {
        self.client_and(workspace, client_id, |d| {
            by_secret(&d.codes, workspace, code)
        })
    }

    async fn client_and_token(
        &self,
        workspace: &str,
        client_id: &str,
        token: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<TokenStanding>)> {
        self.client_and(workspace, client_id, |d| d.standing(workspace, token))
    }

    async fn client_and_login(
        &self,
        workspace: &str,
        client_id: &str,
        login: &Login<'_>,
    ) -> StoreResult<(Option<Arc<Client>>, LoginState)> {
        let data = self.data()?;
        let client = data.clients.get(&pair(workspace, client_id)).cloned();
        Ok((client.map(Arc::new), data.login_state(workspace, login)))
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn put_session(&self, value: &str, session: &Session) -> StoreResult<()> {
        let key = secret_key(&session.workspace, value);
        self.data()?.sessions.insert(key, session.clone());
        Ok(())
    }

    async fn end_session(&self, workspace: &str, value: &str) -> StoreResult<()> {
        self.data()?.sessions.remove(&secret_key(workspace, value));
        Ok(())
    }

    async fn session(&self, workspace: &str, value: &str) -> StoreResult<Option<(Session, u64)>> {
        let Some((sub, _)) = value.split_once('.') else {
            return Ok(None);
        };
        let data = self.data()?;
        let session = by_secret(&data.sessions, workspace, value);
        Ok(session.map(|s| (s, data.subject_generation(workspace, sub))))
    }

    async fn spend_form(&self, workspace: &str, form: &str, expires_at: u64) -> StoreResult<bool> {
        let key = crate::store::form_key(workspace, form);
        Ok(self.data()?.spent_forms.insert(key, expires_at).is_none())
    }

    async fn release_form(&self, workspace: &str, form: &str) -> StoreResult<()> {
        let key = crate::store::form_key(workspace, form);
        self.data()?.spent_forms.remove(&key);
        Ok(())
    }
}

#[async_trait]
impl ConsentStore for MemoryStore {
    async fn consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
    ) -> StoreResult<Option<Consent>> {
        let key = consent_key(workspace, sub, client_id);
        Ok(self.data()?.consents.get(&key).cloned())
    }

    async fn add_consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
        consent: &Consent,
    ) -> StoreResult<()> {
        let key = consent_key(workspace, sub, client_id);
        let mut data = self.data()?;
        let mut kept = consent.clone();
        if let Some(old) = data.consents.get(&key) {
            if old.generation == consent.generation {
                kept.scopes = old.scopes.union(&consent.scopes);
            }
        }
        data.consents.insert(key, kept);
        Ok(())
    }
}
