//! Tokens table: access and refresh tokens under the digest of their value, plus one grant
//! item per family (the revocation marker every rotation checks). The `by-grant` index finds
//! every token of a family.

use super::item::*;
use super::schema::GRANT_INDEX;
use super::{built, DynamoStore};
use crate::protocol::token_record::{GrantFamily, TokenKind, TokenRecord, TokenStanding};
use crate::protocol::user::User;
use crate::store::{
    grant_key, secret_key, NewToken, Rotation, StoreError, StoreResult, TokenStore,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, TransactWriteItem, Update};

fn to_item(value: &str, t: &TokenRecord) -> Item {
    let mut item = Item::from([
        ("id".into(), s(secret_key(&t.workspace, value))),
        ("kind".into(), s(t.kind.as_str())),
        ("workspace".into(), s(&t.workspace)),
        ("client_id".into(), s(&t.client_id)),
        ("issued_at".into(), n(t.issued_at)),
        ("expires_at".into(), n(t.expires_at)),
    ]);
    put_scope(&mut item, &t.scope);
    put_opt(&mut item, "username", t.username.as_ref().map(s));
    put_opt(&mut item, "sub", t.sub.as_ref().map(s));
    put_opt(&mut item, "grant_id", t.grant_id.as_ref().map(s));
    put_opt(&mut item, "rotated_at", t.rotated_at.map(n));
    put_opt(&mut item, "family_expires_at", t.family_expires_at.map(n));
    if t.grace_used {
        item.insert("grace_used".into(), b(true));
    }
    if !t.successors.is_empty() {
        item.insert("successors".into(), list(t.successors.iter().cloned()));
    }
    item.insert("user_generation".into(), n(t.user_generation));
    if !t.audience.is_empty() {
        item.insert("aud".into(), list(t.audience.iter().cloned()));
    }
    item.insert("client_generation".into(), n(t.client_generation));
    if t.jwt {
        item.insert("jwt".into(), b(true));
    }
    item
}

/// A token's record; `None` for a family's grant item, which shares the table.
pub(super) fn from_item(item: &Item) -> StoreResult<Option<TokenRecord>> {
    let Some(kind) = TokenKind::parse(&req_s(item, "kind")?) else {
        return Ok(None);
    };
    Ok(Some(TokenRecord {
        kind,
        workspace: req_s(item, "workspace")?,
        client_id: req_s(item, "client_id")?,
        username: opt_s(item, "username"),
        sub: opt_s(item, "sub"),
        scope: scope(item),
        grant_id: opt_s(item, "grant_id"),
        issued_at: req_n(item, "issued_at")?,
        expires_at: req_n(item, "expires_at")?,
        rotated_at: opt_n(item, "rotated_at")?,
        family_expires_at: opt_n(item, "family_expires_at")?,
        grace_used: bool_or_false(item, "grace_used"),
        successors: str_list(item, "successors"),
        user_generation: opt_n(item, "user_generation")?.unwrap_or(0),
        client_generation: opt_n(item, "client_generation")?.unwrap_or(0),
        audience: str_list(item, "aud"),
        jwt: bool_or_false(item, "jwt"),
    }))
}

/// The condition that an item's `generation` is `g` (an absent attribute counts as 0).
pub(super) fn generation_is(g: u64) -> &'static str {
    if g == 0 {
        "attribute_not_exists(generation) OR generation = :g"
    } else {
        "generation = :g"
    }
}

impl DynamoStore {
    /// `first` (marking the code used, or confirming the login), the family's grant item and
    /// its first tokens, in one transaction.
    pub(super) async fn start_family_with(
        &self,
        first: Vec<TransactWriteItem>,
        f: &GrantFamily,
        tokens: &[NewToken<'_>],
    ) -> StoreResult<()> {
        let grant = Item::from([
            ("id".into(), s(grant_key(&f.workspace, &f.grant_id))),
            ("kind".into(), s("grant")),
            ("expires_at".into(), n(f.expires_at)),
        ]);
        let mut ops = first;
        ops.push(self.put_new_op(&self.tables.tokens, grant)?);
        ops.extend(self.token_ops(tokens)?);
        self.transact(ops).await
    }

    /// Marks a family revoked (creating the marker if the family's start is still in flight:
    /// then that start fails). A write that meets an in-flight transaction on the marker (the
    /// winner of a race, starting or rotating the family) is tried again after a short random
    /// pause; the request answers only once the marker is written.
    async fn mark_revoked(&self, workspace: &str, grant_id: &str, until: u64) -> StoreResult<()> {
        let mut attempt = 0;
        loop {
            let written = self
                .db
                .update_item()
                .table_name(&self.tables.tokens)
                .set_key(Some(id(grant_key(workspace, grant_id))))
                .update_expression(
                    "SET revoked = :yes, kind = :grant, expires_at = if_not_exists(expires_at, :exp)",
                )
                .expression_attribute_values(":yes", b(true))
                .expression_attribute_values(":grant", s("grant"))
                .expression_attribute_values(":exp", n(until))
                .send()
                .await;
            match written {
                Ok(_) => return Ok(()),
                Err(e) if attempt < 6 && is_conflict(&e) => {
                    attempt += 1;
                    let pause = 10 * attempt + u64::from(crate::crypto::random_byte()) % 40;
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn token_ops(&self, tokens: &[NewToken<'_>]) -> StoreResult<Vec<TransactWriteItem>> {
        tokens
            .iter()
            .map(|(v, t)| self.put_new_op(&self.tables.tokens, to_item(v, t)))
            .collect()
    }

    pub(super) async fn transact(&self, ops: Vec<TransactWriteItem>) -> StoreResult<()> {
        let result = self
            .db
            .transact_write_items()
            .set_transact_items(Some(ops))
            .send()
            .await;
        let Err(e) = result else { return Ok(()) };
        match e.as_service_error() {
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
        }
    }

    /// The old refresh token's retirement, as one item of the rotation's transaction; it
    /// records `successors` (the new tokens' keys).
    fn retire_op(
        &self,
        old_key: Item,
        rotation: &Rotation,
        now: u64,
        successors: Vec<String>,
    ) -> StoreResult<TransactWriteItem> {
        if *rotation == Rotation::Kept {
            let current = ConditionCheck::builder()
                .table_name(&self.tables.tokens)
                .set_key(Some(old_key))
                .condition_expression(
                    "attribute_exists(id) AND attribute_not_exists(rotated_at) AND expires_at > :now",
                )
                .expression_attribute_values(":now", n(now));
            return Ok(TransactWriteItem::builder()
                .condition_check(built(current.build())?)
                .build());
        }
        let update = Update::builder()
            .table_name(&self.tables.tokens)
            .set_key(Some(old_key))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":next", list(successors));
        let update = built(match rotation {
            Rotation::Fresh | Rotation::Kept => update
                .update_expression("SET rotated_at = :now, successors = :next")
                .condition_expression(
                    "attribute_exists(id) AND attribute_not_exists(rotated_at) AND expires_at > :now",
                ),
            // The grace window allows one retry: it is spent on condition it was not yet.
            Rotation::GraceRetry { rotated_at, .. } => update
                .update_expression("SET grace_used = :yes, successors = :next")
                .condition_expression(
                    "rotated_at = :at AND expires_at > :now AND attribute_not_exists(grace_used)",
                )
                .expression_attribute_values(":at", n(*rotated_at))
                .expression_attribute_values(":yes", b(true)),
        }
        .build())?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The grace retry's end of the first branch: its tokens deleted, on condition its refresh
    /// token was never used.
    fn retire_successor_ops(&self, keys: &[String]) -> StoreResult<Vec<TransactWriteItem>> {
        keys.iter()
            .map(|k| {
                let delete = aws_sdk_dynamodb::types::Delete::builder()
                    .table_name(&self.tables.tokens)
                    .set_key(Some(id(k.clone())))
                    .condition_expression("attribute_not_exists(rotated_at)");
                Ok(TransactWriteItem::builder()
                    .delete(built(delete.build())?)
                    .build())
            })
            .collect()
    }

    /// Deletes the tokens named by `ids`, 25 at a time, retrying what DynamoDB leaves
    /// unprocessed (it does so under throttling) a few times, then giving up loudly.
    async fn delete_ids(&self, ids: Vec<Item>) -> StoreResult<()> {
        use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
        let table = &self.tables.tokens;
        for chunk in ids.chunks(25) {
            let mut requests = chunk
                .iter()
                .map(|key| {
                    built(DeleteRequest::builder().set_key(Some(key.clone())).build())
                        .map(|d| WriteRequest::builder().delete_request(d).build())
                })
                .collect::<Result<Vec<_>, _>>()?;
            for _ in 0..5 {
                if requests.is_empty() {
                    break;
                }
                let out = self
                    .db
                    .batch_write_item()
                    .request_items(table, requests)
                    .send()
                    .await?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(table))
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

#[async_trait]
impl TokenStore for DynamoStore {
    async fn client_now_and_token(
        &self,
        workspace: &str,
        client_id: &str,
        value: &str,
    ) -> StoreResult<(
        Option<std::sync::Arc<crate::protocol::client::Client>>,
        Option<TokenStanding>,
    )> {
        self.standing(workspace, value, Some(client_id)).await
    }

    async fn put_token(&self, value: &str, token: &TokenRecord) -> StoreResult<()> {
        self.put(&self.tables.tokens, to_item(value, token), None)
            .await
    }

    async fn token(&self, workspace: &str, value: &str) -> StoreResult<Option<TokenStanding>> {
        Ok(self.standing(workspace, value, None).await?.1)
    }

    async fn delete_token(&self, workspace: &str, value: &str) -> StoreResult<()> {
        let key = id(secret_key(workspace, value));
        self.delete(&self.tables.tokens, key, None).await
    }

    async fn start_family(
        &self,
        family: &GrantFamily,
        tokens: &[NewToken<'_>],
        (user, source): (&User, &str),
        now: u64,
    ) -> StoreResult<()> {
        // The tokens must be of the generation the transaction checks the user is at.
        if tokens
            .iter()
            .any(|(_, t)| t.user_generation != user.generation)
        {
            return Err(StoreError::ConditionFailed);
        }
        let confirm = self.confirm_login_ops(user, source, now)?;
        self.start_family_with(confirm, family, tokens).await
    }

    async fn rotate_refresh(
        &self,
        workspace: &str,
        old_value: &str,
        grant_id: &str,
        rotation: Rotation,
        now: u64,
        tokens: &[NewToken<'_>],
    ) -> StoreResult<()> {
        let old_key = id(secret_key(workspace, old_value));
        let next = tokens
            .iter()
            .map(|(v, t)| secret_key(&t.workspace, v))
            .collect();
        let retire = self.retire_op(old_key, &rotation, now, next)?;
        let family_alive = built(
            ConditionCheck::builder()
                .table_name(&self.tables.tokens)
                .set_key(Some(id(grant_key(workspace, grant_id))))
                .condition_expression("attribute_exists(id) AND attribute_not_exists(revoked)")
                .build(),
        )?;
        let mut ops = vec![
            retire,
            TransactWriteItem::builder()
                .condition_check(family_alive)
                .build(),
        ];
        if let Rotation::GraceRetry { successors, .. } = &rotation {
            ops.extend(self.retire_successor_ops(successors)?);
        }
        ops.extend(self.token_ops(tokens)?);
        self.transact(ops).await
    }

    async fn revoke_family(
        &self,
        workspace: &str,
        grant_id: &str,
        keep_marker_until: u64,
    ) -> StoreResult<()> {
        self.mark_revoked(workspace, grant_id, keep_marker_until)
            .await?;
        // Garbage collection: the marker already refuses every token of the family.
        if let Err(e) = self.delete_family_tokens(grant_id).await {
            tracing::warn!(error = %e, "revoked family's tokens not all deleted; the marker refuses them");
        }
        Ok(())
    }
}

impl DynamoStore {
    /// Deletes the tokens the `by-grant` index lists for a family (it may lag).
    async fn delete_family_tokens(&self, grant_id: &str) -> StoreResult<()> {
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
        let keys = ids
            .iter()
            .filter_map(|item| item.get("id").cloned())
            .map(|v| Item::from([("id".to_owned(), v)]))
            .collect();
        self.delete_ids(keys).await
    }
}

/// A write refused because an in-flight transaction holds the item.
fn is_conflict<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    e.as_service_error()
        .and_then(|se| se.code())
        .is_some_and(|c| c == "TransactionConflictException")
}
