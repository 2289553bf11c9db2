//! Checking a resource owner's password, shared by the password grant and the login page:
//! the pair throttle first (no hashing for a throttled attempt), then PBKDF2, then a failure
//! counted or the success confirmed by a conditional write.

use super::Result;
use crate::config::AppState;
use crate::crypto;
use crate::protocol::login::{self, LoginOutcome};
use crate::protocol::user::User;
use crate::store::{Login, LoginState, StoreError};

/// The login page's check: the user, if `password` is theirs, the account enabled and the
/// source not throttled, confirmed by the store; `None` otherwise.
pub(crate) async fn verify_password(
    state: &AppState,
    workspace: &str,
    login: &Login<'_>,
    password: &str,
) -> Result<Option<User>> {
    let found = state.store.users.login_state(workspace, login).await?;
    let Some(user) = check_password(state, workspace, login, found, password).await? else {
        return Ok(None);
    };
    let confirmed = state
        .store
        .users
        .confirm_login(&user, login.source, state.now())
        .await;
    match confirmed {
        Ok(()) => Ok(Some(user)),
        Err(StoreError::ConditionFailed) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Checks a password against the state read (`None` user: no such user). A throttled
/// attempt is refused before any hashing; every other attempt does the same hashing work
/// (a dummy hash for an unknown user), so neither the answer nor its timing tells whether
/// the user exists. A failure is counted for the pair; a success must still be confirmed
/// (`confirm_login`, or inside the password grant's transaction).
pub(crate) async fn check_password(
    state: &AppState,
    workspace: &str,
    login: &Login<'_>,
    (user, attempts): LoginState,
    password: &str,
) -> Result<Option<User>> {
    let throttle = state.settings.throttle();
    let now = state.now();
    if !throttle.admits(&attempts, now) {
        return Ok(None);
    }
    let password_ok = match &user {
        Some(u) => crypto::verify_password(password, &u.password_hash),
        None => {
            crypto::burn_password_check(password, state.settings.pbkdf2_iterations);
            false
        }
    };
    match login::outcome(user.as_ref(), password_ok) {
        LoginOutcome::Accept => Ok(user),
        LoginOutcome::CountFailure => {
            let users = &state.store.users;
            users
                .record_failure(workspace, login, &throttle, now)
                .await?;
            Ok(None)
        }
    }
}
