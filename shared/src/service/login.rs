//! Checking a resource owner's password, shared by the password grant and the login page:
//! PBKDF2 verification, and the lockout counted atomically in the store.

use super::Result;
use crate::config::AppState;
use crate::crypto;
use crate::protocol::login::{self, LoginOutcome};
use crate::protocol::user::User;
use crate::store::StoreError;

/// The user, if `password` is theirs and the account is not locked, confirmed by the store;
/// `None` otherwise, with a failure counted. Every path does the same hashing work, so neither
/// the answer nor its timing tells whether the user exists or is locked.
pub(crate) async fn verify_password(
    state: &AppState,
    workspace: &str,
    username: &str,
    password: &str,
) -> Result<Option<User>> {
    let user = state.store.users.user(workspace, username).await?;
    let Some(user) = check_password(state, user, password).await? else {
        return Ok(None);
    };
    let confirmed = state
        .store
        .users
        .confirm_login(workspace, username, state.now())
        .await;
    match confirmed {
        Ok(()) => Ok(Some(user)),
        Err(StoreError::ConditionFailed) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Checks a password against a user record already read (`None`: no such user), and counts
/// a failure. A success must still be confirmed by a conditional write (`confirm_login`, or
/// inside the password grant's transaction) that fails if racing failures locked the account
/// after this read.
pub(crate) async fn check_password(
    state: &AppState,
    user: Option<User>,
    password: &str,
) -> Result<Option<User>> {
    let s = &state.settings;
    let password_ok = match &user {
        Some(u) => crypto::verify_password(password, &u.password_hash),
        None => {
            crypto::burn_password_check(password, s.pbkdf2_iterations);
            false
        }
    };
    let now = state.now();
    match (login::outcome(user.as_ref(), password_ok, now), user) {
        (LoginOutcome::Accept, Some(u)) => Ok(Some(u)),
        (LoginOutcome::CountFailure, Some(u)) => {
            let until = now + s.lockout_seconds;
            state
                .store
                .users
                .record_login_failure(&u.workspace, &u.username, s.lockout_threshold, now, until)
                .await?;
            Ok(None)
        }
        _ => Ok(None),
    }
}
