//! Table creation for the local stack and tests, from `schema`.

use super::schema::{TableDef, TTL_ATTRIBUTE};
use super::{built as build, DynamoStore};
use crate::store::StoreError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, StoreError> {
    build(
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build(),
    )
}

fn string_attr(name: &str) -> Result<AttributeDefinition, StoreError> {
    build(
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build(),
    )
}

impl DynamoStore {
    /// Creates every table that does not exist yet, with TTL where the schema asks for it.
    /// Returns the names it created.
    pub async fn create_tables(&self) -> Result<Vec<String>, StoreError> {
        let existing = self
            .db
            .list_tables()
            .send()
            .await?
            .table_names
            .unwrap_or_default();
        let mut created = Vec::new();
        for (def, name) in self.tables.pairs() {
            if existing.iter().any(|t| t == name) {
                continue;
            }
            self.create_table(def, name).await?;
            created.push(name.to_owned());
        }
        Ok(created)
    }

    async fn create_table(&self, def: TableDef, name: &str) -> Result<(), StoreError> {
        let mut req = self
            .db
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key(def.hash_key, KeyType::Hash)?)
            .attribute_definitions(string_attr(def.hash_key)?);
        if let Some(range) = def.range_key {
            req = req
                .key_schema(key(range, KeyType::Range)?)
                .attribute_definitions(string_attr(range)?);
        }
        for (index, hash) in def.indexes {
            req = req
                .attribute_definitions(string_attr(hash)?)
                .global_secondary_indexes(build(
                    GlobalSecondaryIndex::builder()
                        .index_name(*index)
                        .key_schema(key(hash, KeyType::Hash)?)
                        .projection(
                            Projection::builder()
                                .projection_type(ProjectionType::KeysOnly)
                                .build(),
                        )
                        .build(),
                )?);
        }
        req.send().await?;
        if def.ttl {
            self.db
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(build(
                    TimeToLiveSpecification::builder()
                        .attribute_name(TTL_ATTRIBUTE)
                        .enabled(true)
                        .build(),
                )?)
                .send()
                .await?;
        }
        Ok(())
    }
}
