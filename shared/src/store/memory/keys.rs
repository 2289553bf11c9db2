//! The keyring, in memory.

use super::{require, MemoryStore};
use crate::protocol::keyring::Keyring;
use crate::store::keys::KeyStore;
use crate::store::StoreResult;
use async_trait::async_trait;

#[async_trait]
impl KeyStore for MemoryStore {
    async fn keyring(&self) -> StoreResult<Keyring> {
        Ok(self.data()?.keyring.clone().unwrap_or_default())
    }

    async fn put_keyring(&self, ring: &Keyring) -> StoreResult<()> {
        let mut data = self.data()?;
        let stored = data.keyring.as_ref().map_or(0, |k| k.version);
        require(stored == ring.version)?;
        data.keyring = Some(Keyring {
            version: ring.version + 1,
            ..ring.clone()
        });
        Ok(())
    }
}
