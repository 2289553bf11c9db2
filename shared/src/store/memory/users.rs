//! Users and the lockout counter, in memory.

use super::{in_workspace, pair, require, Data, MemoryStore};
use crate::protocol::user::User;
use crate::store::{subject_key, AccountChange, StoreResult, UserStore};
use async_trait::async_trait;

/// The user exists, is enabled and is not locked at `now`: the condition of every login write.
pub(super) fn unlocked(data: &Data, workspace: &str, username: &str, now: u64) -> bool {
    data.users
        .get(&pair(workspace, username))
        .is_some_and(|u| u.locked_until <= now && !u.disabled)
}

/// Ends a run of failures (the caller has checked [`unlocked`]).
pub(super) fn clear_failures(data: &mut Data, workspace: &str, username: &str) {
    if let Some(u) = data.users.get_mut(&pair(workspace, username)) {
        u.failed_logins = 0;
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
            return Err(crate::store::StoreError::ConditionFailed);
        };
        match change {
            AccountChange::Enable => {
                stored.disabled = false;
                return Ok(());
            }
            AccountChange::SetPassword(hash) => {
                stored.password_hash = hash.clone();
                stored.failed_logins = 0;
                stored.locked_until = 0;
            }
            AccountChange::Disable => stored.disabled = true,
            AccountChange::RevokeTokens | AccountChange::Delete => {}
        }
        stored.generation += 1;
        if *change == AccountChange::Delete {
            data.users.remove(&key);
        }
        *data
            .subjects
            .entry(subject_key(&user.workspace, &user.sub))
            .or_default() += 1;
        Ok(())
    }

    async fn record_login_failure(
        &self,
        workspace: &str,
        username: &str,
        threshold: u32,
        now: u64,
        lock_until: u64,
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        if !unlocked(&data, workspace, username, now) {
            return Ok(());
        }
        if let Some(u) = data.users.get_mut(&pair(workspace, username)) {
            u.failed_logins += 1;
            if u.failed_logins >= threshold {
                u.locked_until = lock_until;
                u.failed_logins = 0;
            }
        }
        Ok(())
    }

    async fn confirm_login(&self, workspace: &str, username: &str, now: u64) -> StoreResult<()> {
        let mut data = self.data()?;
        require(unlocked(&data, workspace, username, now))?;
        clear_failures(&mut data, workspace, username);
        Ok(())
    }
}
