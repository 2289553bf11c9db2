//! Codes table: authorization codes under the digest of their value, and their redemption.

use super::item::*;
use super::{built, DynamoStore};
use crate::protocol::code_grant::CodeGrant;
use crate::protocol::pkce;
use crate::protocol::token_record::GrantFamily;
use crate::store::{secret_key, CodeStore, NewToken, StoreError, StoreResult};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

fn to_item(value: &str, c: &CodeGrant) -> Item {
    let mut item = Item::from([
        ("id".into(), s(secret_key(&c.workspace, value))),
        ("workspace".into(), s(&c.workspace)),
        ("client_id".into(), s(&c.client_id)),
        ("username".into(), s(&c.username)),
        ("sub".into(), s(&c.sub)),
        ("grant_id".into(), s(&c.grant_id)),
        ("expires_at".into(), n(c.expires_at)),
        ("used".into(), b(c.used)),
        ("user_generation".into(), n(c.user_generation)),
    ]);
    put_scope(&mut item, &c.scope);
    put_opt(&mut item, "redirect_uri", c.redirect_uri.as_ref().map(s));
    if let Some((method, challenge)) = &c.challenge {
        item.insert("challenge".into(), s(challenge));
        item.insert("challenge_method".into(), s(method.as_str()));
    }
    if !c.audience.is_empty() {
        item.insert("aud".into(), list(c.audience.iter().cloned()));
    }
    put_opt(&mut item, "nonce", c.nonce.as_ref().map(s));
    item.insert("auth_time".into(), n(c.auth_time));
    item
}

pub(super) fn from_item(item: &Item) -> StoreResult<CodeGrant> {
    let challenge = match (opt_s(item, "challenge"), opt_s(item, "challenge_method")) {
        (Some(c), Some(m)) => Some((
            pkce::Method::parse(&m)
                .map_err(|_| StoreError::Backend("bad challenge_method".into()))?,
            c,
        )),
        _ => None,
    };
    Ok(CodeGrant {
        workspace: req_s(item, "workspace")?,
        client_id: req_s(item, "client_id")?,
        redirect_uri: opt_s(item, "redirect_uri"),
        scope: scope(item),
        username: req_s(item, "username")?,
        sub: req_s(item, "sub")?,
        challenge,
        grant_id: req_s(item, "grant_id")?,
        expires_at: req_n(item, "expires_at")?,
        used: bool_or_false(item, "used"),
        user_generation: opt_n(item, "user_generation")?.unwrap_or(0),
        audience: str_list(item, "aud"),
        nonce: opt_s(item, "nonce"),
        auth_time: opt_n(item, "auth_time")?.unwrap_or(0),
    })
}

#[async_trait]
impl CodeStore for DynamoStore {
    async fn put_code(&self, value: &str, code: &CodeGrant) -> StoreResult<()> {
        let table = &self.tables.codes;
        self.put(table, to_item(value, code), Some("id")).await
    }

    async fn code(&self, workspace: &str, value: &str) -> StoreResult<Option<CodeGrant>> {
        let key = id(secret_key(workspace, value));
        let item = self.get(&self.tables.codes, key, true).await?;
        item.as_ref().map(from_item).transpose()
    }

    async fn redeem_code(
        &self,
        value: &str,
        now: u64,
        family: &GrantFamily,
        tokens: &[NewToken<'_>],
    ) -> StoreResult<()> {
        let mark_used = built(
            Update::builder()
                .table_name(&self.tables.codes)
                .set_key(Some(id(secret_key(&family.workspace, value))))
                // A used code stays (its TTL moved to the family's end): a replay after the
                // code's own life is still recognised as one and revokes the family.
                .update_expression("SET used = :yes, expires_at = :keep")
                .condition_expression("attribute_exists(id) AND used = :no AND expires_at > :now")
                .expression_attribute_values(":yes", b(true))
                .expression_attribute_values(":no", b(false))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":keep", n(family.expires_at))
                .build(),
        )?;
        let mut first = vec![TransactWriteItem::builder().update(mark_used).build()];
        first.extend(self.issuers_alive_ops(tokens)?);
        self.start_family_with(first, family, tokens).await
    }
}
