//! Checking a resource owner's password, shared by the password grant and the login page:
//! PBKDF2 verification, and the lockout counted atomically in DynamoDB.

use crate::config::{now, AppState};
use crate::crypto;
use crate::protocol::error::Error;
use crate::protocol::model::User;
use crate::storage::StoreError;

/// The user, if `password` is theirs and the account is not locked; `None` otherwise, with
/// the failure counted. Every path does the same hashing work, so neither the answer nor its
/// timing tells whether the user exists or is locked.
pub async fn verify_password(
    state: &AppState,
    workspace: &str,
    username: &str,
    password: &str,
) -> Result<Option<User>, Error> {
    let user = state.store.user(workspace, username).await?;
    let Some(user) = check_password(state, user, password).await? else {
        return Ok(None);
    };
    match state.store.confirm_login(workspace, username, now()).await {
        Ok(()) => Ok(Some(user)),
        Err(StoreError::ConditionFailed) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Checks a password against a user record already read (`None`: no such user), and counts
/// a failure. A success must still be confirmed by a conditional write
/// ([`crate::storage::Store::confirm_login`], or inside the password grant's transaction)
/// that fails if racing failures locked the account after this read.
pub async fn check_password(
    state: &AppState,
    user: Option<User>,
    password: &str,
) -> Result<Option<User>, Error> {
    let s = &state.settings;
    let now = now();
    let verified = match &user {
        Some(u) => crypto::verify_password(password, &u.password_hash),
        None => {
            crypto::burn_password_check(password, s.pbkdf2_iterations);
            false
        }
    };
    match user {
        Some(u) if verified && u.locked_until <= now => Ok(Some(u)),
        // A locked account does not count further failures, so the lock is not extended.
        Some(u) if u.locked_until <= now => {
            state
                .store
                .record_login_failure(
                    &u.workspace,
                    &u.username,
                    s.lockout_threshold,
                    (now, now + s.lockout_seconds),
                )
                .await?;
            Ok(None)
        }
        _ => Ok(None),
    }
}
