//! Tokens table: access and refresh tokens under the digest of their value, plus one grant
//! item per family (the revocation marker every refresh checks). The `by-grant` index finds
//! every token of a family.

use super::item::*;
use super::schema::GRANT_INDEX;
use super::{secret_key, Store, StoreError};
use crate::protocol::model::{TokenKind, TokenRecord};
use crate::protocol::scope::Scopes;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, DeleteRequest, Put, TransactWriteItem, Update, WriteRequest,
};

/// The tokens of one authorization (a code or a password grant) and its refresh rotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantFamily {
    pub workspace: String,
    pub grant_id: String,
    /// Absolute end of the family; also the grant item's TTL.
    pub expires_at: u64,
}

/// What the old refresh token must look like for a rotation to go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// Not rotated yet: this request retires it.
    Fresh,
    /// Rotated at this instant, inside the grace window: issue again, leave it as it is.
    GraceRetry { rotated_at: u64 },
}

fn grant_key(workspace: &str, grant_id: &str) -> String {
    format!("{workspace}#grant#{grant_id}")
}

fn to_item(value: &str, t: &TokenRecord) -> Item {
    let mut item = Item::from([
        ("id".into(), s(secret_key(&t.workspace, value))),
        ("kind".into(), s(t.kind.as_str())),
        ("workspace".into(), s(&t.workspace)),
        ("client_id".into(), s(&t.client_id)),
        ("scope".into(), s(t.scope.to_wire())),
        ("issued_at".into(), n(t.issued_at)),
        ("expires_at".into(), n(t.expires_at)),
    ]);
    put_opt(&mut item, "username", t.username.as_ref().map(s));
    put_opt(&mut item, "sub", t.sub.as_ref().map(s));
    put_opt(&mut item, "grant_id", t.grant_id.as_ref().map(s));
    put_opt(&mut item, "rotated_at", t.rotated_at.map(n));
    put_opt(&mut item, "family_expires_at", t.family_expires_at.map(n));
    if t.grace_used {
        item.insert("grace_used".into(), b(true));
    }
    item
}

pub(super) fn from_item(item: &Item) -> Result<Option<TokenRecord>, StoreError> {
    let kind = match req_s(item, "kind")?.as_str() {
        "access" => TokenKind::Access,
        "refresh" => TokenKind::Refresh,
        _ => return Ok(None),
    };
    Ok(Some(TokenRecord {
        kind,
        workspace: req_s(item, "workspace")?,
        client_id: req_s(item, "client_id")?,
        username: opt_s(item, "username"),
        sub: opt_s(item, "sub"),
        scope: Scopes::parse(&req_s(item, "scope")?)
            .map_err(|_| StoreError::Backend("bad scope".into()))?,
        grant_id: opt_s(item, "grant_id"),
        issued_at: req_n(item, "issued_at")?,
        expires_at: req_n(item, "expires_at")?,
        rotated_at: opt_n(item, "rotated_at")?,
        family_expires_at: opt_n(item, "family_expires_at")?,
        grace_used: bool_or_false(item, "grace_used"),
    }))
}

fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Backend(e.to_string()))
}

impl Store {
    fn put_token_op(&self, value: &str, t: &TokenRecord) -> Result<TransactWriteItem, StoreError> {
        Ok(TransactWriteItem::builder()
            .put(built(
                Put::builder()
                    .table_name(&self.tables.tokens)
                    .set_item(Some(to_item(value, t)))
                    .condition_expression("attribute_not_exists(id)")
                    .build(),
            )?)
            .build())
    }

    fn put_family_op(&self, f: &GrantFamily) -> Result<TransactWriteItem, StoreError> {
        Ok(TransactWriteItem::builder()
            .put(built(
                Put::builder()
                    .table_name(&self.tables.tokens)
                    .item("id", s(grant_key(&f.workspace, &f.grant_id)))
                    .item("kind", s("grant"))
                    .item("expires_at", n(f.expires_at))
                    .condition_expression("attribute_not_exists(id)")
                    .build(),
            )?)
            .build())
    }

    async fn transact(&self, ops: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        let result = self
            .db
            .transact_write_items()
            .set_transact_items(Some(ops))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                // A failed condition or a concurrent transaction on the same item: a lost race.
                Some(TransactWriteItemsError::TransactionCanceledException(c))
                    if c.cancellation_reasons().iter().any(|r| {
                        matches!(
                            r.code(),
                            Some("ConditionalCheckFailed" | "TransactionConflict")
                        )
                    }) =>
                {
                    Err(StoreError::ConditionFailed)
                }
                _ => Err(e.into()),
            },
        }
    }

    /// Stores one token on its own (client_credentials: no family, no refresh token).
    pub async fn put_token(&self, value: &str, token: &TokenRecord) -> Result<(), StoreError> {
        self.db
            .put_item()
            .table_name(&self.tables.tokens)
            .set_item(Some(to_item(value, token)))
            .send()
            .await?;
        Ok(())
    }

    /// The token, strongly consistent; `None` if unknown or revoked.
    pub async fn token(
        &self,
        workspace: &str,
        value: &str,
    ) -> Result<Option<TokenRecord>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(&self.tables.tokens)
            .key("id", s(secret_key(workspace, value)))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item.as_ref().map(from_item).transpose()?.flatten())
    }

    /// Deletes one token (revocation of an access token).
    pub async fn delete_token(&self, workspace: &str, value: &str) -> Result<(), StoreError> {
        self.db
            .delete_item()
            .table_name(&self.tables.tokens)
            .key("id", s(secret_key(workspace, value)))
            .send()
            .await?;
        Ok(())
    }

    /// Starts a family with its first tokens, in one transaction (password grant), on
    /// condition the user's login is still good: not locked by failures that raced it, whose
    /// count it ends. `ConditionFailed` if it was locked.
    pub async fn start_family(
        &self,
        family: &GrantFamily,
        tokens: &[(&str, &TokenRecord)],
        (username, now): (&str, u64),
    ) -> Result<(), StoreError> {
        let mut ops = vec![
            self.confirm_login_op(&family.workspace, username, now)?,
            self.put_family_op(family)?,
        ];
        for (value, t) in tokens {
            ops.push(self.put_token_op(value, t)?);
        }
        self.transact(ops).await
    }

    /// Redeems a code: marks it used on condition it is unused and unexpired, and starts its
    /// family with the tokens, all in one transaction. Of any number of concurrent
    /// redemptions exactly one succeeds; the others get `ConditionFailed`.
    pub async fn redeem_code(
        &self,
        code_value: &str,
        now: u64,
        family: &GrantFamily,
        tokens: &[(&str, &TokenRecord)],
    ) -> Result<(), StoreError> {
        let mark_used = TransactWriteItem::builder()
            .update(built(
                Update::builder()
                    .table_name(&self.tables.codes)
                    .key("id", s(secret_key(&family.workspace, code_value)))
                    .update_expression("SET used = :yes")
                    .condition_expression(
                        "attribute_exists(id) AND used = :no AND expires_at > :now",
                    )
                    .expression_attribute_values(":yes", b(true))
                    .expression_attribute_values(":no", b(false))
                    .expression_attribute_values(":now", n(now))
                    .build(),
            )?)
            .build();
        let mut ops = vec![mark_used, self.put_family_op(family)?];
        for (value, t) in tokens {
            ops.push(self.put_token_op(value, t)?);
        }
        self.transact(ops).await
    }

    /// Rotates a refresh token: retires the old one (or, in the grace window, checks it is
    /// unchanged), checks the family is not revoked, and stores the new tokens, in one
    /// transaction. Of concurrent rotations of one token exactly one succeeds.
    pub async fn rotate_refresh(
        &self,
        workspace: &str,
        old_value: &str,
        grant_id: &str,
        rotation: Rotation,
        now: u64,
        tokens: &[(&str, &TokenRecord)],
    ) -> Result<(), StoreError> {
        let old_key = s(secret_key(workspace, old_value));
        let retire = match rotation {
            Rotation::Fresh => TransactWriteItem::builder().update(built(
                Update::builder()
                    .table_name(&self.tables.tokens)
                    .key("id", old_key)
                    .update_expression("SET rotated_at = :now")
                    .condition_expression(
                        "attribute_exists(id) AND attribute_not_exists(rotated_at) AND expires_at > :now",
                    )
                    .expression_attribute_values(":now", n(now))
                    .build(),
            )?),
            // The grace window allows one retry: it is spent on condition it was not yet.
            Rotation::GraceRetry { rotated_at } => TransactWriteItem::builder().update(built(
                Update::builder()
                    .table_name(&self.tables.tokens)
                    .key("id", old_key)
                    .update_expression("SET grace_used = :yes")
                    .condition_expression(
                        "rotated_at = :at AND expires_at > :now AND attribute_not_exists(grace_used)",
                    )
                    .expression_attribute_values(":at", n(rotated_at))
                    .expression_attribute_values(":now", n(now))
                    .expression_attribute_values(":yes", b(true))
                    .build(),
            )?),
        }
        .build();
        let family_alive = TransactWriteItem::builder()
            .condition_check(built(
                ConditionCheck::builder()
                    .table_name(&self.tables.tokens)
                    .key("id", s(grant_key(workspace, grant_id)))
                    .condition_expression("attribute_exists(id) AND attribute_not_exists(revoked)")
                    .build(),
            )?)
            .build();
        let mut ops = vec![retire, family_alive];
        for (value, t) in tokens {
            ops.push(self.put_token_op(value, t)?);
        }
        self.transact(ops).await
    }

    /// Revokes a family: marks its grant item revoked first (so no rotation can extend it from
    /// here on), then deletes every token the index lists.
    pub async fn revoke_family(
        &self,
        workspace: &str,
        grant_id: &str,
        keep_marker_until: u64,
    ) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&self.tables.tokens)
            .key("id", s(grant_key(workspace, grant_id)))
            .update_expression(
                "SET revoked = :yes, kind = :grant, expires_at = if_not_exists(expires_at, :exp)",
            )
            .expression_attribute_values(":yes", b(true))
            .expression_attribute_values(":grant", s("grant"))
            .expression_attribute_values(":exp", n(keep_marker_until))
            .send()
            .await?;
        let ids = self
            .db
            .query()
            .table_name(&self.tables.tokens)
            .index_name(GRANT_INDEX)
            .key_condition_expression("grant_id = :g")
            .expression_attribute_values(":g", s(grant_id))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await?;
        for chunk in ids.chunks(25) {
            let mut requests = chunk
                .iter()
                .filter_map(|item| item.get("id").cloned())
                .map(|id| {
                    built(DeleteRequest::builder().key("id", id).build())
                        .map(|d| WriteRequest::builder().delete_request(d).build())
                })
                .collect::<Result<Vec<_>, _>>()?;
            // Unprocessed items come back under throttling; a few retries, then give up loudly.
            for _ in 0..5 {
                if requests.is_empty() {
                    break;
                }
                let out = self
                    .db
                    .batch_write_item()
                    .request_items(&self.tables.tokens, requests)
                    .send()
                    .await?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.tables.tokens))
                    .unwrap_or_default();
            }
            if !requests.is_empty() {
                return Err(StoreError::Backend(
                    "revocation left tokens undeleted".into(),
                ));
            }
        }
        Ok(())
    }
}
