//! The DynamoDB adapter. One item per client and user (keyed by workspace), per code, token,
//! session and consent (keyed by the digest of the secret); one grant item per token family.

mod attempts;
mod batch;
mod clients;
mod codes;
mod connection;
mod consents;
mod item;
mod keys;
mod registration;
pub mod schema;
mod sessions;
mod standing;
mod tables;
mod tokens;
mod users;
mod workspaces;

pub use connection::{http_client, CaRoots, Limits};

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use item::Item;
use schema::TableNames;

use super::{StoreError, StoreResult};

/// Service codes that mean "not now" rather than "no": the SDK has retried them already.
const UNAVAILABLE: [&str; 5] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
];

impl<E, R> From<SdkError<E, R>> for StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn from(e: SdkError<E, R>) -> Self {
        let unavailable = match &e {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
            SdkError::ServiceError(se) => se.err().code().is_some_and(|c| UNAVAILABLE.contains(&c)),
            _ => false,
        };
        let detail = DisplayErrorContext(e).to_string();
        if unavailable {
            StoreError::Unavailable(detail)
        } else {
            StoreError::Backend(detail)
        }
    }
}

/// Maps a failed condition check to `ConditionFailed`, anything else to `Backend`.
fn conditional<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.as_service_error().and_then(|se| se.code()) {
        Some("ConditionalCheckFailedException") => StoreError::ConditionFailed,
        _ => e.into(),
    }
}

/// An SDK builder's error (a required field left out): a bug, reported as a backend failure.
fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> StoreResult<T> {
    r.map_err(|e| StoreError::Backend(e.to_string()))
}

/// The DynamoDB client and the names of the tables.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    db: aws_sdk_dynamodb::Client,
    tables: TableNames,
}

impl DynamoStore {
    pub fn new(db: aws_sdk_dynamodb::Client, tables: TableNames) -> Self {
        Self { db, tables }
    }

    /// Region, credentials and endpoint (`AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local) as
    /// the SDK finds them, over rustls with ring, trusting `roots`, within `limits`.
    pub async fn connect(tables: TableNames, roots: CaRoots, limits: Limits) -> Self {
        Self::connect_with(aws_config::from_env(), tables, roots, limits).await
    }

    /// [`DynamoStore::connect`] from `loader` (the tests point one at the strict harness): the
    /// functions' HTTP client, timeouts and retries on whatever else it sets.
    pub async fn connect_with(
        loader: aws_config::ConfigLoader,
        tables: TableNames,
        roots: CaRoots,
        limits: Limits,
    ) -> Self {
        let config = loader
            .http_client(http_client(roots))
            .timeout_config(limits.timeout_config())
            .retry_config(limits.retry_config())
            .load()
            .await;
        Self::new(aws_sdk_dynamodb::Client::new(&config), tables)
    }

    pub fn tables(&self) -> &TableNames {
        &self.tables
    }

    /// Opens the connection (TCP, TLS) so the first request does not pay for it: one read of
    /// a key no client has. Any answer will do.
    pub async fn warm_up(&self) {
        let key = item::key([("workspace", "-"), ("client_id", "-")]);
        let _ = self.get(&self.tables.clients, key, false).await;
    }

    /// One item by key.
    async fn get(&self, table: &str, key: Item, consistent: bool) -> StoreResult<Option<Item>> {
        let out = self
            .db
            .get_item()
            .table_name(table)
            .set_key(Some(key))
            .consistent_read(consistent)
            .send()
            .await?;
        Ok(out.item)
    }

    /// Writes an item; with `new_only`, `ConditionFailed` if one with its key exists.
    async fn put(&self, table: &str, item: Item, new_only: Option<&str>) -> StoreResult<()> {
        self.db
            .put_item()
            .table_name(table)
            .set_item(Some(item))
            .set_condition_expression(new_only.map(|k| format!("attribute_not_exists({k})")))
            .send()
            .await
            .map_err(conditional)?;
        Ok(())
    }

    /// A put of a new item (its `id` must not exist), as one item of a transaction.
    fn put_new_op(&self, table: &str, item: Item) -> StoreResult<TransactWriteItem> {
        let put = built(
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(id)")
                .build(),
        )?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Updates an item on `condition`; `ConditionFailed` if it does not hold.
    async fn update_if(
        &self,
        table: &str,
        key: Item,
        (update, condition): (&str, &str),
        values: impl IntoIterator<Item = (&str, AttributeValue)>,
    ) -> StoreResult<()> {
        let mut request = self
            .db
            .update_item()
            .table_name(table)
            .set_key(Some(key))
            .update_expression(update)
            .condition_expression(condition);
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        request.send().await.map_err(conditional)?;
        Ok(())
    }

    /// Deletes an item; with `must_exist` (an attribute of it), `ConditionFailed` if none.
    async fn delete(&self, table: &str, key: Item, must_exist: Option<&str>) -> StoreResult<()> {
        self.db
            .delete_item()
            .table_name(table)
            .set_key(Some(key))
            .set_condition_expression(must_exist.map(|k| format!("attribute_exists({k})")))
            .send()
            .await
            .map_err(conditional)?;
        Ok(())
    }

    /// Every item of a table keyed by workspace (clients, users), all pages.
    async fn workspace_items(&self, table: &str, workspace: &str) -> StoreResult<Vec<Item>> {
        Ok(self
            .db
            .query()
            .table_name(table)
            .key_condition_expression("workspace = :w")
            .expression_attribute_values(":w", item::s(workspace))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await?)
    }
}
