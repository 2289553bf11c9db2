//! Reading and writing DynamoDB attribute maps. Scopes have one encoding everywhere: a string
//! set under `scope`, absent when empty (DynamoDB has no empty sets).

use crate::protocol::scope::Scopes;
use crate::store::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(super) fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub(super) fn b(v: bool) -> AttributeValue {
    AttributeValue::Bool(v)
}

pub(super) fn list(values: impl IntoIterator<Item = impl Into<String>>) -> AttributeValue {
    AttributeValue::L(values.into_iter().map(s).collect())
}

/// A key (or any item) of string attributes.
pub(super) fn key<const N: usize>(parts: [(&str, &str); N]) -> Item {
    parts
        .into_iter()
        .map(|(k, v)| (k.to_owned(), s(v)))
        .collect()
}

/// A key of one `id` attribute.
pub(super) fn id(value: String) -> Item {
    Item::from([("id".to_owned(), s(value))])
}

pub(super) const SCOPE: &str = "scope";

/// The scope set as an attribute value; `None` for the empty set.
pub(super) fn scope_value(scopes: &Scopes) -> Option<AttributeValue> {
    (!scopes.is_empty()).then(|| AttributeValue::Ss(scopes.iter().map(str::to_owned).collect()))
}

pub(super) fn put_scope(item: &mut Item, scopes: &Scopes) {
    put_opt(item, SCOPE, scope_value(scopes));
}

pub(super) fn scope(item: &Item) -> Scopes {
    let set = item.get(SCOPE).and_then(|v| v.as_ss().ok()).cloned();
    Scopes::from_stored(set.unwrap_or_default())
}

fn corrupt(key: &str) -> StoreError {
    StoreError::Backend(format!("stored item lacks a valid {key:?}"))
}

pub(super) fn opt_s(item: &Item, key: &str) -> Option<String> {
    item.get(key).and_then(|v| v.as_s().ok()).cloned()
}

pub(super) fn req_s(item: &Item, key: &str) -> Result<String, StoreError> {
    opt_s(item, key).ok_or_else(|| corrupt(key))
}

pub(super) fn opt_n(item: &Item, key: &str) -> Result<Option<u64>, StoreError> {
    match item.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_n()
            .ok()
            .and_then(|n| n.parse().ok())
            .map(Some)
            .ok_or_else(|| corrupt(key)),
    }
}

pub(super) fn req_n(item: &Item, key: &str) -> Result<u64, StoreError> {
    opt_n(item, key)?.ok_or_else(|| corrupt(key))
}

pub(super) fn bool_or_false(item: &Item, key: &str) -> bool {
    item.get(key)
        .and_then(|v| v.as_bool().ok())
        .copied()
        .unwrap_or(false)
}

pub(super) fn str_list(item: &Item, key: &str) -> Vec<String> {
    item.get(key)
        .and_then(|v| v.as_l().ok())
        .map(|l| l.iter().filter_map(|v| v.as_s().ok().cloned()).collect())
        .unwrap_or_default()
}

/// Inserts `key` only when there is a value: absent attributes stay absent.
pub(super) fn put_opt(item: &mut Item, key: &str, v: Option<AttributeValue>) {
    if let Some(v) = v {
        item.insert(key.to_owned(), v);
    }
}
