//! Consents table: what a user allowed a client, remembered for a while.

use super::item::*;
use super::DynamoStore;
use crate::protocol::scope::Scopes;
use crate::store::{consent_key, ConsentStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl ConsentStore for DynamoStore {
    async fn consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
    ) -> StoreResult<Option<(Scopes, u64)>> {
        let key = id(consent_key(workspace, sub, client_id));
        let Some(item) = self.get(&self.tables.consents, key, false).await? else {
            return Ok(None);
        };
        Ok(Some((scope(&item), req_n(&item, "expires_at")?)))
    }

    async fn add_consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
        scopes: &Scopes,
        expires_at: u64,
    ) -> StoreResult<()> {
        let update = self
            .db
            .update_item()
            .table_name(&self.tables.consents)
            .set_key(Some(id(consent_key(workspace, sub, client_id))))
            .expression_attribute_values(":e", n(expires_at));
        // A string set: ADD is a union, so allowing `write` later keeps `read`. A consent to
        // no scope only renews the item.
        let update = match scope_value(scopes) {
            None => update.update_expression("SET expires_at = :e"),
            // `scope` is a reserved word of DynamoDB's expressions: named by placeholder.
            Some(set) => update
                .update_expression("SET expires_at = :e ADD #scope :s")
                .expression_attribute_names("#scope", SCOPE)
                .expression_attribute_values(":s", set),
        };
        update.send().await?;
        Ok(())
    }
}
