//! One round trip for a client and the item its request is about (a code, a refresh token, a
//! user): `BatchGetItem` over two tables. The item is read strongly consistent, as its single
//! read is.

use super::item::Item;
use super::{built, clients, DynamoStore};
use crate::protocol::client::Client;
use crate::store::{StoreError, StoreResult};
use aws_sdk_dynamodb::types::KeysAndAttributes;
use std::sync::Arc;

/// Attempts at keys DynamoDB leaves unprocessed (it does so only under throttling).
const ATTEMPTS: usize = 5;

impl DynamoStore {
    /// Reads `client_id`'s record and the item `key` of `table`, in one call.
    pub(super) async fn client_and(
        &self,
        workspace: &str,
        client_id: &str,
        table: &str,
        key: Item,
    ) -> StoreResult<(Option<Arc<Client>>, Option<Item>)> {
        let clients = &self.tables.clients;
        let client_key = clients::client_key(workspace, client_id);
        let mut request = self
            .db
            .batch_get_item()
            .request_items(
                clients,
                built(KeysAndAttributes::builder().keys(client_key).build())?,
            )
            .request_items(
                table,
                built(
                    KeysAndAttributes::builder()
                        .keys(key)
                        .consistent_read(true)
                        .build(),
                )?,
            )
            .send()
            .await?;
        let (mut client, mut other) = (None, None);
        for attempt in 1..=ATTEMPTS {
            let mut responses = request.responses.take().unwrap_or_default();
            let mut take = |t: &str| responses.remove(t).and_then(|mut v| v.pop());
            client = client.or_else(|| take(clients));
            other = other.or_else(|| take(table));
            let Some(unprocessed) = request.unprocessed_keys.take().filter(|u| !u.is_empty())
            else {
                let client = client.as_ref().map(clients::from_item).transpose()?;
                return Ok((client.map(Arc::new), other));
            };
            if attempt == ATTEMPTS {
                break;
            }
            request = self
                .db
                .batch_get_item()
                .set_request_items(Some(unprocessed))
                .send()
                .await?;
        }
        Err(StoreError::Backend(
            "batch read left keys unprocessed".into(),
        ))
    }
}
