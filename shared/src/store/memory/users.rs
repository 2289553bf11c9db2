//! Users, account changes and failed logins per (account, source), in memory.

use super::{in_workspace, pair, require, Data, MemoryStore};
use crate::protocol::login::{Attempts, Throttle};
use crate::protocol::user::User;
use crate::store::{
    attempts_key, subject_key, AccountChange, Login, LoginState, StoreError, StoreResult, UserStore,
};
use async_trait::async_trait;

impl Data {
    pub(super) fn login_state(&self, workspace: &str, login: &Login<'_>) -> LoginState {
        let user = self.users.get(&pair(workspace, login.username)).cloned();
        let key = attempts_key(workspace, login);
        (user, self.attempts.get(&key).copied().unwrap_or_default())
    }

    /// The conditions of a confirmed login: the user enabled at the generation read, the
    /// pair not blocked.
    pub(super) fn login_holds(&self, user: &User, source: &str, now: u64) -> bool {
        let login = Login {
            username: &user.username,
            source,
        };
        let (stored, attempts) = self.login_state(&user.workspace, &login);
        stored.is_some_and(|u| !u.disabled && u.generation == user.generation)
            && attempts.blocked_until <= now
    }

    /// Ends the pair's run of failures (the caller has checked [`Data::login_holds`]).
    pub(super) fn clear_attempts(&mut self, user: &User, source: &str) {
        let login = Login {
            username: &user.username,
            source,
        };
        self.attempts.remove(&attempts_key(&user.workspace, &login));
    }
}

fn apply(stored: &mut User, change: &AccountChange) {
    match change {
        AccountChange::Enable => stored.disabled = false,
        AccountChange::SetPassword(hash) => stored.password_hash = hash.clone(),
        AccountChange::Disable => stored.disabled = true,
        AccountChange::SetRoles(roles) => stored.roles = roles.clone(),
        AccountChange::SetProfile(p) => stored.profile = p.clone(),
        AccountChange::RevokeTokens | AccountChange::Delete => {}
    }
    if change.ends_grants() {
        stored.generation += 1;
    }
}

#[async_trait]
impl UserStore for MemoryStore {
    async fn create_user(&self, user: &User, _created_at: u64) -> StoreResult<()> {
        let mut data = self.data()?;
        let key = pair(&user.workspace, &user.username);
        require(!data.users.contains_key(&key))?;
        data.users.insert(key, user.clone());
        Ok(())
    }

    async fn user(&self, workspace: &str, username: &str) -> StoreResult<Option<User>> {
        Ok(self.data()?.users.get(&pair(workspace, username)).cloned())
    }

    async fn users(&self, workspace: &str) -> StoreResult<Vec<User>> {
        Ok(in_workspace(&self.data()?.users, workspace))
    }

    async fn change_account(&self, user: &User, change: &AccountChange) -> StoreResult<()> {
        let mut data = self.data()?;
        let key = pair(&user.workspace, &user.username);
        let Some(stored) = data.users.get_mut(&key).filter(|u| u.sub == user.sub) else {
            return Err(StoreError::ConditionFailed);
        };
        apply(stored, change);
        if !change.ends_grants() {
            return Ok(());
        }
        if *change == AccountChange::Delete {
            data.users.remove(&key);
        }
        let marker = subject_key(&user.workspace, &user.sub);
        *data.subjects.entry(marker).or_default() += 1;
        Ok(())
    }

    async fn login_state(&self, workspace: &str, login: &Login<'_>) -> StoreResult<LoginState> {
        Ok(self.data()?.login_state(workspace, login))
    }

    async fn record_failure(
        &self,
        workspace: &str,
        login: &Login<'_>,
        throttle: &Throttle,
        now: u64,
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        let entry = data
            .attempts
            .entry(attempts_key(workspace, login))
            .or_insert(Attempts::default());
        entry.failures += 1;
        let until = throttle.blocked_until(entry.failures, now);
        if until > now {
            entry.blocked_until = until;
            // A lock that starts again restarts the count at the threshold (as DynamoDB's).
            entry.failures = entry.failures.min(throttle.threshold);
        }
        Ok(())
    }

    async fn reserve_locked_check(
        &self,
        workspace: &str,
        login: &Login<'_>,
        throttle: &Throttle,
        now: u64,
    ) -> StoreResult<bool> {
        let mut data = self.data()?;
        let Some(entry) = data.attempts.get_mut(&attempts_key(workspace, login)) else {
            return Ok(false);
        };
        if entry.failures >= throttle.threshold + throttle.lock_checks()
            || entry.blocked_until <= now
        {
            return Ok(false);
        }
        entry.failures += 1;
        Ok(true)
    }

    async fn confirm_login(&self, user: &User, source: &str, now: u64) -> StoreResult<()> {
        let mut data = self.data()?;
        require(data.login_holds(user, source, now))?;
        data.clear_attempts(user, source);
        Ok(())
    }
}
