//! Users table: one item per (workspace, username), and the changes the operator makes.

use super::item::*;
use super::{built, DynamoStore};
use crate::protocol::user::{Profile, Role, User};
use crate::store::{subject_key, AccountChange, StoreResult};
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};

pub(super) fn user_key(workspace: &str, username: &str) -> Item {
    key([("workspace", workspace), ("username", username)])
}

pub(super) fn from_item(item: &Item) -> StoreResult<User> {
    Ok(User {
        workspace: req_s(item, "workspace")?,
        username: req_s(item, "username")?,
        sub: req_s(item, "sub")?,
        password_hash: req_s(item, "password_hash")?,
        generation: opt_n(item, "generation")?.unwrap_or(0),
        disabled: bool_or_false(item, "disabled"),
        roles: str_list(item, "roles")
            .iter()
            .filter_map(|r| Role::parse(r))
            .collect(),
        profile: Profile {
            name: opt_s(item, "name"),
            email: opt_s(item, "email"),
            email_verified: bool_or_false(item, "email_verified"),
        },
    })
}

/// `SET` and `REMOVE` clauses that make the item's profile `p` (absent claims removed).
fn profile_update(update: UpdateBuilder, p: &Profile) -> UpdateBuilder {
    let mut set = vec!["email_verified = :ev"];
    let mut remove = vec![];
    let mut update = update
        .expression_attribute_names("#name", "name")
        .expression_attribute_values(":ev", b(p.email_verified));
    match &p.name {
        Some(v) => {
            set.push("#name = :name");
            update = update.expression_attribute_values(":name", s(v));
        }
        None => remove.push("#name"),
    }
    match &p.email {
        Some(v) => {
            set.push("email = :email");
            update = update.expression_attribute_values(":email", s(v));
        }
        None => remove.push("email"),
    }
    let mut expression = format!("SET {}", set.join(", "));
    if !remove.is_empty() {
        expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
    }
    update.update_expression(expression)
}

impl DynamoStore {
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
            AccountChange::SetRoles(roles) if roles.is_empty() => update
                .update_expression("REMOVE #roles")
                .expression_attribute_names("#roles", "roles"),
            AccountChange::SetProfile(p) => profile_update(update, p),
            AccountChange::SetRoles(roles) => update
                .update_expression("SET #roles = :roles")
                .expression_attribute_names("#roles", "roles")
                .expression_attribute_values(":roles", list(roles.iter().map(|r| r.as_str()))),
            AccountChange::SetPassword(hash) => update
                .update_expression("SET password_hash = :h ADD generation :one")
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
}

impl DynamoStore {
    pub(super) async fn create_user_item(&self, user: &User, created_at: u64) -> StoreResult<()> {
        let mut item = user_key(&user.workspace, &user.username);
        item.insert("sub".into(), s(&user.sub));
        item.insert("password_hash".into(), s(&user.password_hash));
        item.insert("created_at".into(), n(created_at));
        if !user.roles.is_empty() {
            item.insert("roles".into(), list(user.roles.iter().map(|r| r.as_str())));
        }
        let p = &user.profile;
        put_opt(&mut item, "name", p.name.as_ref().map(s));
        put_opt(&mut item, "email", p.email.as_ref().map(s));
        if p.email_verified {
            item.insert("email_verified".into(), b(true));
        }
        self.put(&self.tables.users, item, Some("username")).await
    }

    pub(super) async fn user_item(
        &self,
        workspace: &str,
        username: &str,
    ) -> StoreResult<Option<User>> {
        let key = user_key(workspace, username);
        let item = self.get(&self.tables.users, key, true).await?;
        item.as_ref().map(from_item).transpose()
    }

    pub(super) async fn user_items(&self, workspace: &str) -> StoreResult<Vec<User>> {
        let items = self.workspace_items(&self.tables.users, workspace).await?;
        items.iter().map(from_item).collect()
    }

    pub(super) async fn change_user(&self, user: &User, change: &AccountChange) -> StoreResult<()> {
        let mut ops = vec![self.account_op(user, change)?];
        if change.ends_grants() {
            ops.push(self.subject_op(user)?);
        }
        self.transact(ops).await
    }
}
