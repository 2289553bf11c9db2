//! Reading and writing DynamoDB attribute maps.

use super::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn b(v: bool) -> AttributeValue {
    AttributeValue::Bool(v)
}

pub fn list(values: impl IntoIterator<Item = impl Into<String>>) -> AttributeValue {
    AttributeValue::L(values.into_iter().map(s).collect())
}

fn corrupt(key: &str) -> StoreError {
    StoreError::Backend(format!("stored item lacks a valid {key:?}"))
}

pub fn opt_s(item: &Item, key: &str) -> Option<String> {
    item.get(key).and_then(|v| v.as_s().ok()).cloned()
}

pub fn req_s(item: &Item, key: &str) -> Result<String, StoreError> {
    opt_s(item, key).ok_or_else(|| corrupt(key))
}

pub fn opt_n(item: &Item, key: &str) -> Result<Option<u64>, StoreError> {
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

pub fn req_n(item: &Item, key: &str) -> Result<u64, StoreError> {
    opt_n(item, key)?.ok_or_else(|| corrupt(key))
}

pub fn bool_or_false(item: &Item, key: &str) -> bool {
    item.get(key)
        .and_then(|v| v.as_bool().ok())
        .copied()
        .unwrap_or(false)
}

pub fn str_list(item: &Item, key: &str) -> Vec<String> {
    item.get(key)
        .and_then(|v| v.as_l().ok())
        .map(|l| l.iter().filter_map(|v| v.as_s().ok().cloned()).collect())
        .unwrap_or_default()
}

/// Inserts `key` only when there is a value: absent attributes stay absent.
pub fn put_opt(item: &mut Item, key: &str, v: Option<AttributeValue>) {
    if let Some(v) = v {
        item.insert(key.to_owned(), v);
    }
}
