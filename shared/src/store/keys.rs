//! Where the signing keys are kept: one keyring, written whole under a version check.

use super::StoreResult;
use crate::protocol::keyring::Keyring;
use async_trait::async_trait;

#[async_trait]
pub trait KeyStore: Send + Sync {
    /// The keyring (version 0 and no keys when none was ever written), strongly consistent.
    async fn keyring(&self) -> StoreResult<Keyring>;
    /// Replaces the keyring on condition the stored version is still `ring.version` (two
    /// rotations at once: one wins, the other gets `ConditionFailed`); stores `version + 1`.
    async fn put_keyring(&self, ring: &Keyring) -> StoreResult<()>;
}
