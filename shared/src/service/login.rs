//! Checking a resource owner's password, shared by the password grant and the login page:
//! the pair throttle first (no hashing for a throttled attempt), then PBKDF2, then a failure
//! counted or the success confirmed by a conditional write.

use super::Result;
use crate::config::AppState;
use crate::crypto;
use crate::protocol::login::{self, Admission, LoginOutcome};
use crate::protocol::user::User;
use crate::store::{Login, LoginState, StoreError};

/// Seconds until `until`, at least 1 (a page never says "0 seconds").
pub(crate) fn seconds_left(until: u64, now: u64) -> u64 {
    until.saturating_sub(now).max(1)
}

/// What a password check came to.
#[derive(Debug)]
pub(crate) enum Checked {
    /// The right password of an enabled account, from a source that may sign in.
    Accepted(User),
    /// A wrong password, no such user, a disabled account, or a lock whose checks are spent:
    /// all read the same.
    Wrong,
    /// Too soon after the last failures from this source: nothing was checked.
    Wait { until: u64 },
    /// The right password, but this source is locked out of the account until then.
    Locked { until: u64 },
}

/// The login page's check: [`check_password`], and a success confirmed by the store (a
/// failure that raced it and locked the pair makes it [`Checked::Wrong`]).
pub(crate) async fn verify_password(
    state: &AppState,
    workspace: &str,
    login: &Login<'_>,
    password: &str,
) -> Result<Checked> {
    let found = state.store.users.login_state(workspace, login).await?;
    let user = match check_password(state, workspace, login, found, password).await? {
        Checked::Accepted(user) => user,
        other => return Ok(other),
    };
    let confirmed = state
        .store
        .users
        .confirm_login(&user, login.source, state.now())
        .await;
    match confirmed {
        Ok(()) => Ok(Checked::Accepted(user)),
        Err(StoreError::ConditionFailed) => Ok(Checked::Wrong),
        Err(e) => Err(e.into()),
    }
}

/// Checks a password against the state read (`None` user: no such user). A throttled
/// attempt is refused before any hashing (see [`Admission`]); every other attempt does the
/// same hashing work (a dummy hash for an unknown user), so neither the answer nor its timing
/// tells whether the user exists. A failure is counted for the pair; a success must still be
/// confirmed (`confirm_login`, or inside the password grant's transaction).
pub(crate) async fn check_password(
    state: &AppState,
    workspace: &str,
    login: &Login<'_>,
    (user, attempts): LoginState,
    password: &str,
) -> Result<Checked> {
    let throttle = state.settings.throttle();
    let now = state.now();
    let admission = throttle.admission(&attempts, now);
    match admission {
        Admission::Wait { until } => return Ok(Checked::Wait { until }),
        Admission::Refuse => return Ok(Checked::Wrong),
        Admission::Check | Admission::Locked { .. } => {}
    }
    if admission != Admission::Check
        && !state
            .store
            .users
            .reserve_locked_check(workspace, login, &throttle, now)
            .await?
    {
        // Spent by attempts that raced this one: as a wrong password, with no hashing.
        return Ok(Checked::Wrong);
    }
    let password_ok = match &user {
        Some(u) => crypto::verify_password(password, &u.password_hash),
        None => {
            crypto::burn_password_check(password, state.settings.pbkdf2_iterations);
            false
        }
    };
    match (login::outcome(user.as_ref(), password_ok), user, admission) {
        (LoginOutcome::Accept, _, Admission::Locked { until }) => Ok(Checked::Locked { until }),
        (LoginOutcome::Accept, Some(user), _) => Ok(Checked::Accepted(user)),
        // Counted when the check was reserved.
        (_, _, Admission::Locked { .. }) => Ok(Checked::Wrong),
        _ => {
            let users = &state.store.users;
            users
                .record_failure(workspace, login, &throttle, now)
                .await?;
            Ok(Checked::Wrong)
        }
    }
}
