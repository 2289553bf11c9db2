//! Users table: one item per (workspace, username), with the lockout counter.

use super::item::*;
use super::{conditional, Store, StoreError};
use crate::protocol::model::User;
use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem, Update};

/// The user exists and is not locked at `:now`.
const UNLOCKED: &str =
    "attribute_exists(username) AND (attribute_not_exists(locked_until) OR locked_until <= :now)";

pub(super) fn from_item(item: &Item) -> Result<User, StoreError> {
    Ok(User {
        workspace: req_s(item, "workspace")?,
        username: req_s(item, "username")?,
        sub: req_s(item, "sub")?,
        password_hash: req_s(item, "password_hash")?,
        failed_logins: opt_n(item, "failed_logins")?.unwrap_or(0) as u32,
        locked_until: opt_n(item, "locked_until")?.unwrap_or(0),
    })
}

impl Store {
    /// Adds a user; `ConditionFailed` if the username is taken in its workspace.
    pub async fn create_user(&self, user: &User, created_at: u64) -> Result<(), StoreError> {
        self.db
            .put_item()
            .table_name(&self.tables.users)
            .item("workspace", s(&user.workspace))
            .item("username", s(&user.username))
            .item("sub", s(&user.sub))
            .item("password_hash", s(&user.password_hash))
            .item("created_at", n(created_at))
            .condition_expression("attribute_not_exists(username)")
            .send()
            .await
            .map_err(conditional)?;
        Ok(())
    }

    pub async fn user(&self, workspace: &str, username: &str) -> Result<Option<User>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(&self.tables.users)
            .key("workspace", s(workspace))
            .key("username", s(username))
            .consistent_read(true)
            .send()
            .await?;
        out.item.as_ref().map(from_item).transpose()
    }

    pub async fn users(&self, workspace: &str) -> Result<Vec<User>, StoreError> {
        let items = self.workspace_items(&self.tables.users, workspace).await?;
        items.iter().map(from_item).collect()
    }

    pub async fn delete_user(&self, workspace: &str, username: &str) -> Result<(), StoreError> {
        let table = &self.tables.users;
        self.delete_in_workspace(table, workspace, ("username", username))
            .await
    }

    /// Sets a new password hash and lifts any lockout.
    pub async fn set_user_password(
        &self,
        workspace: &str,
        username: &str,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&self.tables.users)
            .key("workspace", s(workspace))
            .key("username", s(username))
            .update_expression("SET password_hash = :h REMOVE failed_logins, locked_until")
            .condition_expression("attribute_exists(username)")
            .expression_attribute_values(":h", s(password_hash))
            .send()
            .await
            .map_err(conditional)?;
        Ok(())
    }

    /// Counts one failed login atomically (concurrent failures all count). When the count
    /// reaches `threshold`, the account is locked until `lock_until` and the count restarts.
    pub async fn record_login_failure(
        &self,
        workspace: &str,
        username: &str,
        threshold: u32,
        (now, lock_until): (u64, u64),
    ) -> Result<(), StoreError> {
        let out = self
            .db
            .update_item()
            .table_name(&self.tables.users)
            .key("workspace", s(workspace))
            .key("username", s(username))
            .update_expression("ADD failed_logins :one")
            .condition_expression(UNLOCKED)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(conditional);
        let out = match out {
            Ok(out) => out,
            // Deleted meanwhile, or locked already (failures during a lock do not count).
            Err(StoreError::ConditionFailed) => return Ok(()),
            Err(e) => return Err(e),
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
        // Exactly one of the failures that crossed the threshold locks; the condition keeps
        // a racing reset from being undone.
        let locked = self
            .db
            .update_item()
            .table_name(&self.tables.users)
            .key("workspace", s(workspace))
            .key("username", s(username))
            .update_expression("SET locked_until = :until, failed_logins = :zero")
            .condition_expression("failed_logins >= :threshold")
            .expression_attribute_values(":until", n(lock_until))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":threshold", n(u64::from(threshold)))
            .send()
            .await
            .map_err(conditional);
        match locked {
            Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A successful login ends the run of failures.
    /// Confirms a verified login: ends the run of failures on condition the account was not
    /// locked meanwhile (by failures that raced this one); `ConditionFailed` if it was.
    pub async fn confirm_login(
        &self,
        workspace: &str,
        username: &str,
        now: u64,
    ) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&self.tables.users)
            .key("workspace", s(workspace))
            .key("username", s(username))
            .update_expression("REMOVE failed_logins")
            .condition_expression(UNLOCKED)
            .expression_attribute_values(":now", n(now))
            .send()
            .await
            .map_err(conditional)?;
        Ok(())
    }

    /// [`Store::confirm_login`] as one item of a transaction (the password grant's).
    pub(super) fn confirm_login_op(
        &self,
        workspace: &str,
        username: &str,
        now: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.tables.users)
            .key("workspace", s(workspace))
            .key("username", s(username))
            .update_expression("REMOVE failed_logins")
            .condition_expression(UNLOCKED)
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
