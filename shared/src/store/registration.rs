//! Where initial access tokens (RFC 7591 §3) are kept, and how a registration spends one.

use super::StoreResult;
use crate::protocol::client::Client;
use crate::protocol::registration::RegistrationGrant;
use async_trait::async_trait;

/// Self-service registration (RFC 7591): initial access tokens, and the clients they admit.
#[async_trait]
pub trait RegistrationStore: Send + Sync {
    /// Stores an initial access token (`value` is kept as a digest); `ConditionFailed` if one
    /// with that value exists.
    async fn put_registration_grant(
        &self,
        value: &str,
        grant: &RegistrationGrant,
    ) -> StoreResult<()>;
    /// The initial access token named by `value` in `workspace`, strongly consistent; `None`
    /// if unknown (expiry is the caller's to check).
    async fn registration_grant(
        &self,
        workspace: &str,
        value: &str,
    ) -> StoreResult<Option<RegistrationGrant>>;
    /// Deletes the initial access token named by `value`: it registers nothing more (the
    /// clients it registered stay). `ConditionFailed` if there is none.
    async fn delete_registration_grant(&self, workspace: &str, value: &str) -> StoreResult<()>;
    /// Creates `client` and spends one use of the initial access token `grant_value`, all or
    /// nothing: `ConditionFailed` if the token is unknown, expired or used up, or the client
    /// id is taken. Of concurrent registrations, no more succeed than the token has uses.
    async fn register_client(
        &self,
        client: &Client,
        grant_value: &str,
        now: u64,
    ) -> StoreResult<()>;
}
