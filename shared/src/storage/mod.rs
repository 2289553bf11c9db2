//! Storage layer: the DynamoDB tables behind narrow, capability-named operations. Every
//! conditional write and transaction of the server lives in this module.

mod batch;
mod clients;
mod codes;
mod item;
pub mod schema;
mod sessions;
mod tables;
mod tokens;
mod users;

pub use tokens::{GrantFamily, Rotation};

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use schema::TableNames;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A conditional write found the item in another state: a lost race, a duplicate, a reuse.
    #[error("condition not met")]
    ConditionFailed,
    /// Anything else; the detail is for logs only.
    #[error("{0}")]
    Backend(String),
}

impl<E, R> From<SdkError<E, R>> for StoreError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn from(e: SdkError<E, R>) -> Self {
        StoreError::Backend(DisplayErrorContext(e).to_string())
    }
}

impl From<StoreError> for crate::protocol::error::Error {
    fn from(e: StoreError) -> Self {
        crate::protocol::error::Error::Storage(e.to_string())
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

/// The DynamoDB client and the names of the tables.
#[derive(Debug, Clone)]
pub struct Store {
    db: aws_sdk_dynamodb::Client,
    tables: TableNames,
}

impl Store {
    pub fn new(db: aws_sdk_dynamodb::Client, tables: TableNames) -> Self {
        Self { db, tables }
    }

    /// Configuration from the environment (`AWS_REGION`, credentials, and
    /// `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local), over rustls with ring.
    pub async fn from_env() -> Self {
        let config = aws_config::from_env()
            .http_client(http_client())
            .load()
            .await;
        Self::new(
            aws_sdk_dynamodb::Client::new(&config),
            TableNames::from_env(),
        )
    }

    pub fn tables(&self) -> &TableNames {
        &self.tables
    }

    /// Opens the connection (TCP, TLS) so the first request does not pay for it: one read of
    /// a key no client has, which the functions may already do. Any answer will do.
    pub async fn warm_up(&self) {
        let _ = self.client("-", "-").await;
    }
}

/// Amazon Trust Services' root CAs (Amazon Root CA 1-4, public certificates, as Debian's
/// ca-certificates ships them): every regional DynamoDB endpoint's chain ends at one of them.
const AMAZON_ROOT_CAS: &str = include_str!("../../certs/amazon-root-cas.pem");

/// The SDK's HTTP client over rustls with ring: smaller than the default aws-lc build, and
/// no C toolchain beyond ring's. It trusts Amazon's four root CAs only, unless
/// `DYNAMODB_CA_ROOTS=system`: loading and parsing the platform's whole store (hundreds of
/// certificates) took more than half of a cold start's init in `make bench`.
pub fn http_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{
        rustls_provider::CryptoMode, Provider, TlsContext, TrustStore,
    };
    let mut builder =
        aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring));
    if std::env::var("DYNAMODB_CA_ROOTS").as_deref() != Ok("system") {
        let amazon = TrustStore::empty().with_pem_certificate(AMAZON_ROOT_CAS.as_bytes());
        match TlsContext::builder().with_trust_store(amazon).build() {
            Ok(ctx) => builder = builder.tls_context(ctx),
            Err(e) => {
                tracing::warn!(error = %e, "embedded root CAs unusable; using the system store")
            }
        }
    }
    builder.build_https()
}

impl Store {
    /// Every item of a table keyed by workspace (clients, users), all pages.
    async fn workspace_items(
        &self,
        table: &str,
        workspace: &str,
    ) -> Result<Vec<item::Item>, StoreError> {
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

    /// Deletes the item of a workspace-keyed table; `ConditionFailed` if there was none.
    async fn delete_in_workspace(
        &self,
        table: &str,
        workspace: &str,
        (name, value): (&str, &str),
    ) -> Result<(), StoreError> {
        self.db
            .delete_item()
            .table_name(table)
            .key("workspace", item::s(workspace))
            .key(name, item::s(value))
            .condition_expression("attribute_exists(workspace)")
            .send()
            .await
            .map_err(conditional)?;
        Ok(())
    }
}

/// Storage key of a secret-bearing item: workspace and the digest of the secret.
fn secret_key(workspace: &str, secret: &str) -> String {
    format!("{workspace}#{}", crate::crypto::digest(secret))
}

#[cfg(test)]
mod tests {
    use base64::{engine::general_purpose::STANDARD, Engine};

    #[test]
    fn the_embedded_roots_are_four_der_certificates() {
        let blocks: Vec<&str> = super::AMAZON_ROOT_CAS
            .split("-----BEGIN CERTIFICATE-----")
            .skip(1)
            .map(|b| b.split("-----END CERTIFICATE-----").next().unwrap_or(""))
            .collect();
        assert_eq!(blocks.len(), 4);
        for b in blocks {
            let der = STANDARD
                .decode(b.split_whitespace().collect::<String>())
                .unwrap();
            assert_eq!(der[0], 0x30, "an ASN.1 SEQUENCE");
            let text = String::from_utf8_lossy(&der);
            assert!(
                text.contains("Amazon Root CA"),
                "issued to Amazon Root CA n"
            );
        }
    }
}
