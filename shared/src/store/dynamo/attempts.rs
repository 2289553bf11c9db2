//! Attempts table: failed logins per (account, source), and the `UserStore` they serve.

use super::item::*;
use super::tokens::generation_is;
use super::users::{from_item, user_key};
use super::{built, conditional, DynamoStore};
use crate::protocol::login::{Attempts, Throttle};
use crate::protocol::user::User;
use crate::store::{
    attempts_key, AccountChange, Login, LoginState, StoreError, StoreResult, UserStore,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, ReturnValue, TransactWriteItem};

fn attempts_of(item: Option<&Item>) -> StoreResult<Attempts> {
    let Some(item) = item else {
        return Ok(Attempts::default());
    };
    Ok(Attempts {
        failures: opt_n(item, "failures")?.unwrap_or(0) as u32,
        blocked_until: opt_n(item, "blocked_until")?.unwrap_or(0),
    })
}

impl DynamoStore {
    /// A user and a pair's failures (strongly consistent: a block just set must be seen),
    /// with other keys, in one round trip.
    pub(super) async fn read_login(
        &self,
        workspace: &str,
        login: &Login<'_>,
        also: Option<(&str, Item)>,
    ) -> StoreResult<(LoginState, Option<Item>)> {
        let (users, attempts) = (self.tables.users.as_str(), self.tables.attempts.as_str());
        let (user_key, pair_key) = (
            user_key(workspace, login.username),
            id(attempts_key(workspace, login)),
        );
        let mut wanted = vec![
            (users, user_key.clone(), true),
            (attempts, pair_key.clone(), true),
        ];
        wanted.extend(also.clone().map(|(t, k)| (t, k, false)));
        let found = self.batch_get(wanted).await?;
        let user = found.get(users, &user_key).map(from_item).transpose()?;
        let pair = attempts_of(found.get(attempts, &pair_key))?;
        let other = also.and_then(|(t, k)| found.get(t, &k).cloned());
        Ok(((user, pair), other))
    }

    /// [`UserStore::confirm_login`] as items of a transaction (the password grant's).
    pub(super) fn confirm_login_ops(
        &self,
        user: &User,
        source: &str,
        now: u64,
    ) -> StoreResult<Vec<TransactWriteItem>> {
        let enabled = format!(
            "attribute_exists(username) AND (attribute_not_exists(disabled) OR disabled = :no) AND ({})",
            generation_is(user.generation)
        );
        let check = ConditionCheck::builder()
            .table_name(&self.tables.users)
            .set_key(Some(user_key(&user.workspace, &user.username)))
            .condition_expression(enabled)
            .expression_attribute_values(":no", b(false))
            .expression_attribute_values(":g", n(user.generation));
        let login = Login {
            username: &user.username,
            source,
        };
        let clear = Delete::builder()
            .table_name(&self.tables.attempts)
            .set_key(Some(id(attempts_key(&user.workspace, &login))))
            .condition_expression("attribute_not_exists(blocked_until) OR blocked_until <= :now")
            .expression_attribute_values(":now", n(now));
        Ok(vec![
            TransactWriteItem::builder()
                .condition_check(built(check.build())?)
                .build(),
            TransactWriteItem::builder()
                .delete(built(clear.build())?)
                .build(),
        ])
    }

    /// After the `failures`-th failure, blocks the pair as `throttle` says, unless a racing
    /// failure has moved the count on (it blocks for its own count). A lock that starts again
    /// after an earlier one restarts the count at the threshold, so it gives its few checks
    /// (`Throttle::lock_checks`) again.
    async fn block(&self, key: Item, failures: u64, until: u64, threshold: u32) -> StoreResult<()> {
        let restart = failures > u64::from(threshold);
        let update = if restart {
            ("SET blocked_until = :b, failures = :t", "failures = :f")
        } else {
            ("SET blocked_until = :b", "failures = :f")
        };
        let mut values = vec![(":b", n(until)), (":f", n(failures))];
        if restart {
            values.push((":t", n(u64::from(threshold))));
        }
        match self
            .update_if(&self.tables.attempts, key, update, values)
            .await
        {
            Err(StoreError::ConditionFailed) => Ok(()),
            other => other,
        }
    }
}

#[async_trait]
impl UserStore for DynamoStore {
    async fn create_user(&self, user: &User, created_at: u64) -> StoreResult<()> {
        self.create_user_item(user, created_at).await
    }

    async fn user(&self, workspace: &str, username: &str) -> StoreResult<Option<User>> {
        self.user_item(workspace, username).await
    }

    async fn users(&self, workspace: &str) -> StoreResult<Vec<User>> {
        self.user_items(workspace).await
    }

    async fn change_account(&self, user: &User, change: &AccountChange) -> StoreResult<()> {
        self.change_user(user, change).await
    }

    async fn login_state(&self, workspace: &str, login: &Login<'_>) -> StoreResult<LoginState> {
        Ok(self.read_login(workspace, login, None).await?.0)
    }

    async fn record_failure(
        &self,
        workspace: &str,
        login: &Login<'_>,
        throttle: &Throttle,
        now: u64,
    ) -> StoreResult<()> {
        let key = id(attempts_key(workspace, login));
        let counted = self
            .db
            .update_item()
            .table_name(&self.tables.attempts)
            .set_key(Some(key.clone()))
            .update_expression("ADD failures :one SET expires_at = :e")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":e", n(now + throttle.window()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(conditional)?;
        let failures = counted
            .attributes
            .as_ref()
            .map(|a| opt_n(a, "failures"))
            .transpose()?
            .flatten()
            .unwrap_or(0);
        let until = throttle.blocked_until(failures as u32, now);
        if until > now {
            self.block(key, failures, until, throttle.threshold).await?;
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
        let key = id(attempts_key(workspace, login));
        // Kept at least as long as the lock it counts under.
        let keep = now + throttle.lock_seconds + throttle.window();
        let reserved = self
            .db
            .update_item()
            .table_name(&self.tables.attempts)
            .set_key(Some(key))
            .update_expression("ADD failures :one SET expires_at = :e")
            .condition_expression("failures < :max AND blocked_until > :now")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":e", n(keep))
            .expression_attribute_values(
                ":max",
                n(u64::from(throttle.threshold + throttle.lock_checks())),
            )
            .expression_attribute_values(":now", n(now))
            .send()
            .await
            .map_err(conditional);
        match reserved {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn confirm_login(&self, user: &User, source: &str, now: u64) -> StoreResult<()> {
        let ops = self.confirm_login_ops(user, source, now)?;
        self.transact(ops).await
    }
}
