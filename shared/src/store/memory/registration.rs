//! Initial access tokens and the registrations they admit, in memory.

use super::{pair, require, MemoryStore};
use crate::protocol::client::Client;
use crate::protocol::registration::RegistrationGrant;
use crate::store::{secret_key, RegistrationStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl RegistrationStore for MemoryStore {
    async fn put_registration_grant(
        &self,
        value: &str,
        grant: &RegistrationGrant,
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        let key = secret_key(&grant.workspace, value);
        require(!data.registration_grants.contains_key(&key))?;
        data.registration_grants.insert(key, grant.clone());
        Ok(())
    }

    async fn registration_grant(
        &self,
        workspace: &str,
        value: &str,
    ) -> StoreResult<Option<RegistrationGrant>> {
        let data = self.data()?;
        let key = secret_key(workspace, value);
        Ok(data.registration_grants.get(&key).cloned())
    }

    async fn delete_registration_grant(&self, workspace: &str, value: &str) -> StoreResult<()> {
        let mut data = self.data()?;
        let gone = data
            .registration_grants
            .remove(&secret_key(workspace, value));
        require(gone.is_some())
    }

    async fn register_client(
        &self,
        client: &Client,
        grant_value: &str,
        now: u64,
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        let key = secret_key(&client.workspace, grant_value);
        let usable = data
            .registration_grants
            .get(&key)
            .is_some_and(|g| g.is_usable(now));
        let id = pair(&client.workspace, &client.client_id);
        require(usable && !data.clients.contains_key(&id))?;
        if let Some(g) = data.registration_grants.get_mut(&key) {
            g.uses_left -= 1;
        }
        data.clients.insert(id, client.clone());
        Ok(())
    }
}
