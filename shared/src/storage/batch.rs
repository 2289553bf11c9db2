//! One round trip for a client and the item its request is about (a code, a refresh token, a
//! user): `BatchGetItem` over two tables. Reads of codes, tokens and users are strongly
//! consistent, as their single reads are.

use super::item::*;
use super::{clients, codes, secret_key, tokens, users, Store, StoreError};
use crate::protocol::model::{Client, CodeGrant, TokenRecord, User};
use aws_sdk_dynamodb::types::KeysAndAttributes;

impl Store {
    /// Reads `client_id`'s record and the item `key` of `table`, in one call.
    async fn client_and(
        &self,
        workspace: &str,
        client_id: &str,
        table: &str,
        key: Item,
    ) -> Result<(Option<Item>, Option<Item>), StoreError> {
        let built = |r: Result<KeysAndAttributes, _>| {
            r.map_err(|e: aws_sdk_dynamodb::error::BuildError| StoreError::Backend(e.to_string()))
        };
        let client_key = Item::from([
            ("workspace".into(), s(workspace)),
            ("client_id".into(), s(client_id)),
        ]);
        let mut request = self
            .db
            .batch_get_item()
            .request_items(
                &self.tables.clients,
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
        // Unprocessed keys come back only under throttling: ask again for those, a few times.
        for attempt in 0..5 {
            let mut responses = request.responses.take().unwrap_or_default();
            client = client.or_else(|| {
                responses
                    .remove(&self.tables.clients)
                    .and_then(|mut v| v.pop())
            });
            other = other.or_else(|| responses.remove(table).and_then(|mut v| v.pop()));
            let Some(unprocessed) = request.unprocessed_keys.take().filter(|u| !u.is_empty())
            else {
                return Ok((client, other));
            };
            if attempt == 4 {
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

    pub async fn client_and_code(
        &self,
        workspace: &str,
        client_id: &str,
        code: &str,
    ) -> Result<(Option<Client>, Option<CodeGrant>), StoreError> {
        let key = Item::from([("id".into(), s(secret_key(workspace, code)))]);
        let (c, k) = self
            .client_and(workspace, client_id, &self.tables.codes, key)
            .await?;
        Ok((
            c.as_ref().map(clients::from_item).transpose()?,
            k.as_ref().map(codes::from_item).transpose()?,
        ))
    }

    pub async fn client_and_token(
        &self,
        workspace: &str,
        client_id: &str,
        token: &str,
    ) -> Result<(Option<Client>, Option<TokenRecord>), StoreError> {
        let key = Item::from([("id".into(), s(secret_key(workspace, token)))]);
        let (c, t) = self
            .client_and(workspace, client_id, &self.tables.tokens, key)
            .await?;
        Ok((
            c.as_ref().map(clients::from_item).transpose()?,
            t.as_ref().map(tokens::from_item).transpose()?.flatten(),
        ))
    }

    pub async fn client_and_user(
        &self,
        workspace: &str,
        client_id: &str,
        username: &str,
    ) -> Result<(Option<Client>, Option<User>), StoreError> {
        let key = Item::from([
            ("workspace".into(), s(workspace)),
            ("username".into(), s(username)),
        ]);
        let (c, u) = self
            .client_and(workspace, client_id, &self.tables.users, key)
            .await?;
        Ok((
            c.as_ref().map(clients::from_item).transpose()?,
            u.as_ref().map(users::from_item).transpose()?,
        ))
    }
}
