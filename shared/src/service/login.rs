//! Checking a resource owner's password, shared by the password grant and the login page:
//! PBKDF2 verification, and the lockout counted atomically in DynamoDB.

use crate::config::{now, AppState};
use crate::crypto;
use crate::protocol::error::Error;
use crate::protocol::model::User;

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
    check_password(state, user, password).await
}

/// [`verify_password`] for a user record already read (`None`: no such user).
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
        Some(u) if verified && u.locked_until <= now => {
            if u.failed_logins > 0 {
                state
                    .store
                    .reset_login_failures(&u.workspace, &u.username)
                    .await?;
            }
            Ok(Some(u))
        }
        // A locked account does not count further failures, so the lock is not extended.
        Some(u) if u.locked_until <= now => {
            state
                .store
                .record_login_failure(
                    &u.workspace,
                    &u.username,
                    s.lockout_threshold,
                    now + s.lockout_seconds,
                )
                .await?;
            Ok(None)
        }
        _ => Ok(None),
    }
}
