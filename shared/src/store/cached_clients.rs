//! The client cache: a [`ClientStore`] decorator that keeps client records in a warm function
//! for a short while. With a fresh entry, a grant reads only the item its request names (one
//! round trip saved); without, it reads both in one round trip and keeps the client.

use super::{
    ClientStore, CodeStore, Login, LoginState, StoreResult, Stores, TokenStore, UserStore,
};
use crate::clock::Clock;
use crate::protocol::client::{Client, PreviousSecret};
use crate::protocol::code_grant::CodeGrant;
use crate::protocol::token_record::TokenStanding;
use async_trait::async_trait;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

type Entries = HashMap<(String, String), (u64, Arc<Client>)>;

pub(crate) struct CachedClients {
    inner: Arc<dyn ClientStore>,
    codes: Arc<dyn CodeStore>,
    tokens: Arc<dyn TokenStore>,
    users: Arc<dyn UserStore>,
    /// Seconds an entry is used after it was read.
    ttl: u64,
    clock: Arc<dyn Clock>,
    entries: Mutex<Entries>,
}

impl Stores {
    /// The same stores, with client reads cached for `ttl` seconds (0: no cache). A deleted
    /// client or a rotated secret takes effect in other warm functions within that time.
    pub fn with_client_cache(mut self, ttl: u64, clock: Arc<dyn Clock>) -> Self {
        if ttl > 0 {
            self.clients = Arc::new(CachedClients {
                inner: self.clients.clone(),
                codes: self.codes.clone(),
                tokens: self.tokens.clone(),
                users: self.users.clone(),
                ttl,
                clock,
                entries: Mutex::default(),
            });
        }
        self
    }
}

impl CachedClients {
    fn key(workspace: &str, client_id: &str) -> (String, String) {
        (workspace.to_owned(), client_id.to_owned())
    }

    fn fresh(&self, workspace: &str, client_id: &str) -> Option<Arc<Client>> {
        let now = self.clock.now();
        let entries = self.entries.lock().ok()?;
        let (at, client) = entries.get(&Self::key(workspace, client_id))?;
        (now < at.saturating_add(self.ttl)).then(|| client.clone())
    }

    fn remember(&self, client: &Option<Arc<Client>>) {
        let (Some(c), Ok(mut entries)) = (client, self.entries.lock()) else {
            return;
        };
        let key = Self::key(&c.workspace, &c.client_id);
        entries.insert(key, (self.clock.now(), c.clone()));
    }

    fn forget(&self, workspace: &str, client_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&Self::key(workspace, client_id));
        }
    }

    /// A fresh client with the item read `alone`, or both read together (`both`).
    async fn with_item<T>(
        &self,
        workspace: &str,
        client_id: &str,
        alone: impl Future<Output = StoreResult<T>>,
        both: impl Future<Output = StoreResult<(Option<Arc<Client>>, T)>>,
    ) -> StoreResult<(Option<Arc<Client>>, T)> {
        if let Some(client) = self.fresh(workspace, client_id) {
            return Ok((Some(client), alone.await?));
        }
        let (client, item) = both.await?;
        self.remember(&client);
        Ok((client, item))
    }
}

#[async_trait]
impl ClientStore for CachedClients {
    async fn create_client(&self, client: &Client) -> StoreResult<()> {
        self.forget(&client.workspace, &client.client_id);
        self.inner.create_client(client).await
    }

    async fn create_clients(&self, clients: &[Client]) -> StoreResult<()> {
        for c in clients {
            self.forget(&c.workspace, &c.client_id);
        }
        self.inner.create_clients(clients).await
    }

    async fn client(&self, workspace: &str, client_id: &str) -> StoreResult<Option<Arc<Client>>> {
        if let Some(client) = self.fresh(workspace, client_id) {
            return Ok(Some(client));
        }
        let client = self.inner.client(workspace, client_id).await?;
        self.remember(&client);
        Ok(client)
    }

    async fn clients(&self, workspace: &str) -> StoreResult<Vec<Client>> {
        self.inner.clients(workspace).await
    }

    async fn delete_client(&self, workspace: &str, client_id: &str) -> StoreResult<()> {
        self.forget(workspace, client_id);
        self.inner.delete_client(workspace, client_id).await
    }

    async fn set_client_secret(
        &self,
        workspace: &str,
        client_id: &str,
        digest: &str,
        previous: Option<&PreviousSecret>,
    ) -> StoreResult<()> {
        self.forget(workspace, client_id);
        self.inner
            .set_client_secret(workspace, client_id, digest, previous)
            .await
    }

    async fn set_client_settings(&self, client: &Client) -> StoreResult<()> {
        self.forget(&client.workspace, &client.client_id);
        self.inner.set_client_settings(client).await
    }

    async fn set_client_generation(
        &self,
        workspace: &str,
        client_id: &str,
        generation: u64,
    ) -> StoreResult<()> {
        self.forget(workspace, client_id);
        self.inner
            .set_client_generation(workspace, client_id, generation)
            .await
    }

    async fn client_and_code(
        &self,
        workspace: &str,
        client_id: &str,
        code: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<CodeGrant>)> {
        let alone = self.codes.code(workspace, code);
        let both = self.inner.client_and_code(workspace, client_id, code);
        self.with_item(workspace, client_id, alone, both).await
    }

    async fn client_and_token(
        &self,
        workspace: &str,
        client_id: &str,
        token: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<TokenStanding>)> {
        let alone = self.tokens.token(workspace, token);
        let both = self.inner.client_and_token(workspace, client_id, token);
        self.with_item(workspace, client_id, alone, both).await
    }

    async fn client_and_login(
        &self,
        workspace: &str,
        client_id: &str,
        login: &Login<'_>,
    ) -> StoreResult<(Option<Arc<Client>>, LoginState)> {
        let alone = self.users.login_state(workspace, login);
        let both = self.inner.client_and_login(workspace, client_id, login);
        self.with_item(workspace, client_id, alone, both).await
    }
}
