//! Consents table: what a user allowed a client, under the user's generation then.

use super::item::*;
use super::{conditional, DynamoStore};
use crate::protocol::user::Consent;
use crate::store::{consent_key, ConsentStore, StoreError, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl ConsentStore for DynamoStore {
    async fn consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
    ) -> StoreResult<Option<Consent>> {
        let key = id(consent_key(workspace, sub, client_id));
        let Some(item) = self.get(&self.tables.consents, key, false).await? else {
            return Ok(None);
        };
        Ok(Some(Consent {
            scopes: scope(&item),
            expires_at: req_n(&item, "expires_at")?,
            generation: opt_n(&item, "generation")?.unwrap_or(0),
        }))
    }

    async fn add_consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
        consent: &Consent,
    ) -> StoreResult<()> {
        let key = id(consent_key(workspace, sub, client_id));
        let update = self
            .db
            .update_item()
            .table_name(&self.tables.consents)
            .set_key(Some(key.clone()))
            .condition_expression("attribute_not_exists(generation) OR generation = :g")
            .expression_attribute_values(":e", n(consent.expires_at))
            .expression_attribute_values(":g", n(consent.generation));
        // A string set: ADD is a union, so allowing `write` later keeps `read`. A consent to
        // no scope only renews the item. `scope` is a reserved word: named by placeholder.
        let update = match scope_value(&consent.scopes) {
            None => update.update_expression("SET expires_at = :e, generation = :g"),
            Some(set) => update
                .update_expression("SET expires_at = :e, generation = :g ADD #scope :s")
                .expression_attribute_names("#scope", SCOPE)
                .expression_attribute_values(":s", set),
        };
        match update.send().await.map_err(conditional) {
            // A consent of an older generation (before a new password, say): replaced whole.
            Err(StoreError::ConditionFailed) => {
                let mut item = key;
                item.insert("expires_at".into(), n(consent.expires_at));
                item.insert("generation".into(), n(consent.generation));
                put_scope(&mut item, &consent.scopes);
                self.put(&self.tables.consents, item, None).await
            }
            other => other.map(|_| ()),
        }
    }
}
