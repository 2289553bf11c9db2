//! Initial access tokens live in the tokens table (kind `registration`, under the digest of
//! their value, expiring by TTL); a registration puts the client and spends one use of its
//! token in one transaction.

use super::item::*;
use super::{built, clients, DynamoStore};
use crate::protocol::client::Client;
use crate::protocol::registration::RegistrationGrant;
use crate::store::{secret_key, RegistrationStore, StoreResult};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};

const KIND: &str = "registration";

fn to_item(value: &str, g: &RegistrationGrant) -> Item {
    let mut item = Item::from([
        ("id".into(), s(secret_key(&g.workspace, value))),
        ("kind".into(), s(KIND)),
        ("workspace".into(), s(&g.workspace)),
        ("expires_at".into(), n(g.expires_at)),
        ("uses_left".into(), n(g.uses_left)),
    ]);
    put_scope(&mut item, &g.scope);
    item
}

fn from_item(item: &Item) -> StoreResult<Option<RegistrationGrant>> {
    if opt_s(item, "kind").as_deref() != Some(KIND) {
        return Ok(None);
    }
    Ok(Some(RegistrationGrant {
        workspace: req_s(item, "workspace")?,
        expires_at: req_n(item, "expires_at")?,
        uses_left: req_n(item, "uses_left")?,
        scope: scope(item),
    }))
}

#[async_trait]
impl RegistrationStore for DynamoStore {
    async fn put_registration_grant(
        &self,
        value: &str,
        grant: &RegistrationGrant,
    ) -> StoreResult<()> {
        let table = &self.tables.tokens;
        self.put(table, to_item(value, grant), Some("id")).await
    }

    async fn registration_grant(
        &self,
        workspace: &str,
        value: &str,
    ) -> StoreResult<Option<RegistrationGrant>> {
        let key = id(secret_key(workspace, value));
        let item = self.get(&self.tables.tokens, key, true).await?;
        Ok(item.as_ref().map(from_item).transpose()?.flatten())
    }

    async fn delete_registration_grant(&self, workspace: &str, value: &str) -> StoreResult<()> {
        let key = id(secret_key(workspace, value));
        self.db
            .delete_item()
            .table_name(&self.tables.tokens)
            .set_key(Some(key))
            .condition_expression("kind = :kind")
            .expression_attribute_values(":kind", s(KIND))
            .send()
            .await
            .map_err(super::conditional)?;
        Ok(())
    }

    async fn register_client(
        &self,
        client: &Client,
        grant_value: &str,
        now: u64,
    ) -> StoreResult<()> {
        let put = Put::builder()
            .table_name(&self.tables.clients)
            .set_item(Some(clients::to_item(client)))
            .condition_expression("attribute_not_exists(client_id)");
        let spend = Update::builder()
            .table_name(&self.tables.tokens)
            .set_key(Some(id(secret_key(&client.workspace, grant_value))))
            .update_expression("SET uses_left = uses_left - :one")
            .condition_expression("kind = :kind AND uses_left >= :one AND expires_at > :now")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":kind", s(KIND))
            .expression_attribute_values(":now", n(now));
        let ops = vec![
            TransactWriteItem::builder()
                .put(built(put.build())?)
                .build(),
            TransactWriteItem::builder()
                .update(built(spend.build())?)
                .build(),
        ];
        self.transact(ops).await
    }
}
