//! Initial access tokens (RFC 7591 §3): what an operator hands a team so it can register its
//! own clients, for a time, a number of clients and a set of scopes.

use super::AdminError;
use crate::crypto;
use crate::protocol::registration::RegistrationGrant;
use crate::protocol::scope::Scopes;
use crate::protocol::workspace;
use crate::store::{RegistrationStore, StoreError};

/// Longest an initial access token may last.
pub const MAX_REGISTRATION_TOKEN_SECONDS: u64 = 365 * 24 * 3600;

/// What `registration-token create` asks for.
#[derive(Debug, Clone, Default)]
pub struct RegistrationTokenSpec {
    pub workspace: String,
    pub expires_in: u64,
    /// `None`: any number of registrations until it expires.
    pub max_uses: Option<u64>,
    /// The scopes the clients it registers may have (and get when they name none).
    pub scope: String,
}

/// Creates an initial access token; its value is returned this once and stored as a digest.
pub async fn create_registration_token(
    store: &dyn RegistrationStore,
    spec: &RegistrationTokenSpec,
    now: u64,
) -> Result<(String, RegistrationGrant), AdminError> {
    let invalid = |m: String| Err(AdminError::Invalid(m));
    workspace::validate_name(&spec.workspace).map_err(|e| AdminError::Invalid(e.description))?;
    if !(1..=MAX_REGISTRATION_TOKEN_SECONDS).contains(&spec.expires_in) {
        return invalid(format!(
            "--expires-in takes 1 to {MAX_REGISTRATION_TOKEN_SECONDS} seconds"
        ));
    }
    if spec.max_uses == Some(0) {
        return invalid("--max-uses must be at least 1".into());
    }
    let scope = Scopes::parse(&spec.scope).map_err(|e| AdminError::Invalid(e.description))?;
    let grant = RegistrationGrant {
        workspace: spec.workspace.clone(),
        expires_at: now + spec.expires_in,
        uses_left: spec.max_uses.unwrap_or(RegistrationGrant::UNLIMITED),
        scope,
    };
    let value = crypto::new_secret();
    match store.put_registration_grant(&value, &grant).await {
        Ok(()) => Ok((value, grant)),
        Err(StoreError::ConditionFailed) => Err(AdminError::Exists("registration token".into())),
        Err(e) => Err(e.into()),
    }
}

/// Ends an initial access token: it registers nothing more; the clients it registered stay
/// (delete them with `client delete`). `NotFound` if there is no such token.
pub async fn revoke_registration_token(
    store: &dyn RegistrationStore,
    workspace: &str,
    value: &str,
) -> Result<(), AdminError> {
    match store.delete_registration_grant(workspace, value).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed) => Err(AdminError::NotFound("registration token".into())),
        Err(e) => Err(e.into()),
    }
}
