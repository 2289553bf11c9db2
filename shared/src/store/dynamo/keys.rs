//! The keyring: one item of the tokens table (`id = keyring`, no expiry), its keys a list of
//! maps, the sealed private keys as binary attributes.

use super::item::*;
use super::DynamoStore;
use crate::jose::Alg;
use crate::protocol::keyring::{Keyring, StoredKey};
use crate::store::keys::KeyStore;
use crate::store::{StoreError, StoreResult};
use async_trait::async_trait;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

const KEYRING_ID: &str = "keyring";

fn key_item(k: &StoredKey) -> AttributeValue {
    let mut m = Item::from([
        ("kid".into(), s(&k.kid)),
        ("alg".into(), s(k.alg.as_str())),
        ("jwk".into(), s(k.public_jwk.to_string())),
        (
            "sealed".into(),
            AttributeValue::B(Blob::new(k.sealed_private.clone())),
        ),
        ("created_at".into(), n(k.created_at)),
        ("signs_from".into(), n(k.signs_from)),
    ]);
    put_opt(&mut m, "retired_at", k.retired_at.map(n));
    put_opt(&mut m, "published_until", k.published_until.map(n));
    AttributeValue::M(m)
}

fn stored_key(v: &AttributeValue) -> StoreResult<StoredKey> {
    let corrupt = || StoreError::Backend("stored keyring is not valid".into());
    let m = v.as_m().map_err(|_| corrupt())?;
    Ok(StoredKey {
        kid: req_s(m, "kid")?,
        alg: Alg::parse(&req_s(m, "alg")?).ok_or_else(corrupt)?,
        public_jwk: serde_json::from_str(&req_s(m, "jwk")?).map_err(|_| corrupt())?,
        sealed_private: m
            .get("sealed")
            .and_then(|b| b.as_b().ok())
            .map(|b| b.as_ref().to_vec())
            .ok_or_else(corrupt)?,
        created_at: req_n(m, "created_at")?,
        signs_from: req_n(m, "signs_from")?,
        retired_at: opt_n(m, "retired_at")?,
        published_until: opt_n(m, "published_until")?,
    })
}

#[async_trait]
impl KeyStore for DynamoStore {
    async fn keyring(&self) -> StoreResult<Keyring> {
        let item = self
            .get(&self.tables.tokens, id(KEYRING_ID.into()), true)
            .await?;
        let Some(item) = item else {
            return Ok(Keyring::default());
        };
        let keys = match item.get("keys") {
            Some(AttributeValue::L(list)) => {
                list.iter().map(stored_key).collect::<StoreResult<_>>()?
            }
            _ => Vec::new(),
        };
        Ok(Keyring {
            version: req_n(&item, "version")?,
            keys,
        })
    }

    async fn put_keyring(&self, ring: &Keyring) -> StoreResult<()> {
        let mut item = id(KEYRING_ID.into());
        item.insert("kind".into(), s("keyring"));
        item.insert("version".into(), n(ring.version + 1));
        item.insert(
            "keys".into(),
            AttributeValue::L(ring.keys.iter().map(key_item).collect()),
        );
        let condition = if ring.version == 0 {
            "attribute_not_exists(id)"
        } else {
            "version = :v"
        };
        let mut put = self
            .db
            .put_item()
            .table_name(&self.tables.tokens)
            .set_item(Some(item))
            .condition_expression(condition);
        if ring.version > 0 {
            put = put.expression_attribute_values(":v", n(ring.version));
        }
        put.send().await.map_err(super::conditional)?;
        Ok(())
    }
}
