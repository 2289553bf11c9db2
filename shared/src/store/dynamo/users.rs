//! Users table: one item per (workspace, username), with the lockout counter.

use super::item::*;
use super::tokens::generation_is;
use super::{built, conditional, DynamoStore};
use crate::protocol::user::User;
use crate::store::{subject_key, AccountChange, StoreError, StoreResult, UserStore};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, ReturnValue, TransactWriteItem, Update};

/// The user exists, is enabled, and is not locked at `:now` (`:no` is false).
const UNLOCKED: &str = "attribute_exists(username) AND (attribute_not_exists(locked_until) OR locked_until <= :now) AND (attribute_not_exists(disabled) OR disabled = :no)";

pub(super) fn user_key(workspace: &str, username: &str) -> Item {
    key([("workspace", workspace), ("username", username)])
}

pub(super) fn from_item(item: &Item) -> StoreResult<User> {
    Ok(User {
        workspace: req_s(item, "workspace")?,
        username: req_s(item, "username")?,
        sub: req_s(item, "sub")?,
        password_hash: req_s(item, "password_hash")?,
        failed_logins: opt_n(item, "failed_logins")?.unwrap_or(0) as u32,
        locked_until: opt_n(item, "locked_until")?.unwrap_or(0),
        generation: opt_n(item, "generation")?.unwrap_or(0),
        disabled: bool_or_false(item, "disabled"),
    })
}

/// Treats a failed condition as "nothing to do".
fn unless_condition_failed<T>(r: StoreResult<T>) -> StoreResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::ConditionFailed) => Ok(None),
        Err(e) => Err(e),
    }
}

impl DynamoStore {
    /// [`UserStore::confirm_login`] as one item of a transaction (the password grant's),
    /// also checking the user's generation when given.
    pub(super) fn confirm_login_op(
        &self,
        workspace: &str,
        username: &str,
        now: u64,
        generation: Option<u64>,
    ) -> StoreResult<TransactWriteItem> {
        let mut update = Update::builder()
            .table_name(&self.tables.users)
            .set_key(Some(user_key(workspace, username)))
            .update_expression("REMOVE failed_logins")
            .condition_expression(UNLOCKED)
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":no", b(false));
        if let Some(g) = generation {
            update = update
                .condition_expression(format!("{UNLOCKED} AND ({})", generation_is(g)))
                .expression_attribute_values(":g", n(g));
        }
        Ok(TransactWriteItem::builder()
            .update(built(update.build())?)
            .build())
    }

    /// The user's side of an account change, on condition the username still names `sub`.
    fn account_op(&self, user: &User, change: &AccountChange) -> StoreResult<TransactWriteItem> {
        let key = user_key(&user.workspace, &user.username);
        let table = &self.tables.users;
        if *change == AccountChange::Delete {
            let delete = Delete::builder()
                .table_name(table)
                .set_key(Some(key))
                .condition_expression("#sub = :sub")
                .expression_attribute_names("#sub", "sub")
                .expression_attribute_values(":sub", s(&user.sub));
            return Ok(TransactWriteItem::builder()
                .delete(built(delete.build())?)
                .build());
        }
        // `sub` is a reserved word of DynamoDB's expressions: named by placeholder.
        let mut update = Update::builder()
            .table_name(table)
            .set_key(Some(key))
            .condition_expression("#sub = :sub")
            .expression_attribute_names("#sub", "sub")
            .expression_attribute_values(":sub", s(&user.sub));
        update = match change {
            AccountChange::Enable => update.update_expression("REMOVE disabled"),
            AccountChange::SetPassword(hash) => update
                .update_expression(
                    "SET password_hash = :h ADD generation :one REMOVE failed_logins, locked_until",
                )
                .expression_attribute_values(":h", s(hash))
                .expression_attribute_values(":one", n(1)),
            AccountChange::Disable => update
                .update_expression("SET disabled = :yes ADD generation :one")
                .expression_attribute_values(":yes", b(true))
                .expression_attribute_values(":one", n(1)),
            AccountChange::RevokeTokens | AccountChange::Delete => update
                .update_expression("ADD generation :one")
                .expression_attribute_values(":one", n(1)),
        };
        Ok(TransactWriteItem::builder()
            .update(built(update.build())?)
            .build())
    }

    /// The subject's marker: its generation rises with the user's.
    fn subject_op(&self, user: &User) -> StoreResult<TransactWriteItem> {
        let update = Update::builder()
            .table_name(&self.tables.tokens)
            .set_key(Some(id(subject_key(&user.workspace, &user.sub))))
            .update_expression("SET kind = :subject ADD generation :one")
            .expression_attribute_values(":subject", s("subject"))
            .expression_attribute_values(":one", n(1));
        Ok(TransactWriteItem::builder()
            .update(built(update.build())?)
            .build())
    }

    /// Locks the account when the count crossed the threshold. Exactly one of the failures
    /// that crossed it locks; the condition keeps a racing reset from being undone.
    async fn lock(
        &self,
        workspace: &str,
        username: &str,
        threshold: u32,
        until: u64,
    ) -> StoreResult<()> {
        let values = [
            (":until", n(until)),
            (":zero", n(0)),
            (":threshold", n(u64::from(threshold))),
        ];
        let update = (
            "SET locked_until = :until, failed_logins = :zero",
            "failed_logins >= :threshold",
        );
        let key = user_key(workspace, username);
        let locked = self
            .update_if(&self.tables.users, key, update, values)
            .await;
        unless_condition_failed(locked).map(|_| ())
    }
}

#[async_trait]
impl UserStore for DynamoStore {
    async fn create_user(&self, user: &User, created_at: u64) -> StoreResult<()> {
        let mut item = user_key(&user.workspace, &user.username);
        item.insert("sub".into(), s(&user.sub));
        item.insert("password_hash".into(), s(&user.password_hash));
        item.insert("created_at".into(), n(created_at));
        self.put(&self.tables.users, item, Some("username")).await
    }

    async fn user(&self, workspace: &str, username: &str) -> StoreResult<Option<User>> {
        let key = user_key(workspace, username);
        let item = self.get(&self.tables.users, key, true).await?;
        item.as_ref().map(from_item).transpose()
    }

    async fn users(&self, workspace: &str) -> StoreResult<Vec<User>> {
        let items = self.workspace_items(&self.tables.users, workspace).await?;
        items.iter().map(from_item).collect()
    }

    async fn change_account(&self, user: &User, change: &AccountChange) -> StoreResult<()> {
        let mut ops = vec![self.account_op(user, change)?];
        if *change != AccountChange::Enable {
            ops.push(self.subject_op(user)?);
        }
        self.transact(ops).await
    }

    async fn record_login_failure(
        &self,
        workspace: &str,
        username: &str,
        threshold: u32,
        now: u64,
        lock_until: u64,
    ) -> StoreResult<()> {
        let counted = self
            .db
            .update_item()
            .table_name(&self.tables.users)
            .set_key(Some(user_key(workspace, username)))
            .update_expression("ADD failed_logins :one")
            .condition_expression(UNLOCKED)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":no", b(false))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(conditional);
        // Deleted meanwhile, or locked already: failures during a lock do not count.
        let Some(out) = unless_condition_failed(counted)? else {
            return Ok(());
        };
        let count = out
            .attributes
            .as_ref()
            .map(|a| opt_n(a, "failed_logins"))
            .transpose()?
            .flatten()
            .unwrap_or(0);
        if count < u64::from(threshold) {
            return Ok(());
        }
        self.lock(workspace, username, threshold, lock_until).await
    }

    async fn confirm_login(&self, workspace: &str, username: &str, now: u64) -> StoreResult<()> {
        let key = user_key(workspace, username);
        let update = ("REMOVE failed_logins", UNLOCKED);
        let table = &self.tables.users;
        let values = [(":now", n(now)), (":no", b(false))];
        self.update_if(table, key, update, values).await
    }
}
