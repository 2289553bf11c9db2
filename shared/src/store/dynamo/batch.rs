//! One round trip for several items of several tables: `BatchGetItem`, asking again for the
//! keys DynamoDB leaves unprocessed (it does so only under throttling).

use super::item::Item;
use super::{built, clients, DynamoStore};
use crate::protocol::client::Client;
use crate::store::{StoreError, StoreResult};
use aws_sdk_dynamodb::types::KeysAndAttributes;
use std::collections::HashMap;
use std::sync::Arc;

/// Attempts at keys DynamoDB leaves unprocessed.
const ATTEMPTS: usize = 5;

/// The items one batch read found, by table.
pub(super) struct Found(HashMap<String, Vec<Item>>);

impl Found {
    /// The item of `table` whose attributes equal `key`'s.
    pub(super) fn get(&self, table: &str, key: &Item) -> Option<&Item> {
        let items = self.0.get(table)?;
        items
            .iter()
            .find(|item| key.iter().all(|(k, v)| item.get(k) == Some(v)))
    }

    /// The client of `workspace` named `client_id`, if it was read.
    pub(super) fn client(
        &self,
        table: &str,
        workspace: &str,
        client_id: &str,
    ) -> StoreResult<Option<Arc<Client>>> {
        let item = self.get(table, &clients::client_key(workspace, client_id));
        Ok(item.map(clients::from_item).transpose()?.map(Arc::new))
    }
}

impl DynamoStore {
    /// Reads `keys` (table, key, strongly consistent?) in one call. Keys repeated are read once.
    pub(super) async fn batch_get(&self, keys: Vec<(&str, Item, bool)>) -> StoreResult<Found> {
        let mut by_table: HashMap<String, (Vec<Item>, bool)> = HashMap::new();
        for (table, key, consistent) in keys {
            let entry = by_table.entry(table.to_owned()).or_default();
            if !entry.0.contains(&key) {
                entry.0.push(key);
            }
            entry.1 |= consistent;
        }
        let mut request = HashMap::new();
        for (table, (keys, consistent)) in by_table {
            let k = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(consistent)
                .build();
            request.insert(table, built(k)?);
        }
        let mut found: HashMap<String, Vec<Item>> = HashMap::new();
        for _ in 0..ATTEMPTS {
            let out = self
                .db
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await?;
            for (table, items) in out.responses.unwrap_or_default() {
                found.entry(table).or_default().extend(items);
            }
            match out.unprocessed_keys.filter(|u| !u.is_empty()) {
                None => return Ok(Found(found)),
                Some(unprocessed) => request = unprocessed,
            }
        }
        Err(StoreError::Unavailable(
            "batch read left keys unprocessed".into(),
        ))
    }
}
