//! Private signing keys are never stored in the clear: each is sealed with KMS `Encrypt` under
//! the stack's key, with its key id as encryption context (so one sealed key cannot be passed
//! off as another's), and opened with `Decrypt` by whatever signs (see `service::keys::Signers`).
//! Locally the same calls go to an emulator (`moto`), as DynamoDB's go to DynamoDB Local.

use crate::store::dynamo::{http_client, CaRoots, Limits};
use async_trait::async_trait;
use aws_sdk_kms::primitives::Blob;

#[derive(Debug, thiserror::Error)]
#[error("KMS: {0}")]
pub struct SealError(pub String);

/// Seals and opens private keys, each bound to its key id. [`KmsSealer`] in the functions and
/// the CLI; the service tests, which run without KMS, bring their own.
#[async_trait]
pub trait Sealer: Send + Sync {
    async fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError>;
    /// The plaintext of a key sealed for `kid`; fails for any other kid.
    async fn open(&self, kid: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError>;
}

/// A KMS key that seals and opens private keys.
#[derive(Clone, Debug)]
pub struct KmsSealer {
    client: aws_sdk_kms::Client,
    key_id: String,
}

impl KmsSealer {
    /// A sealer on the KMS the environment names (`AWS_ENDPOINT_URL_KMS` locally), with the
    /// functions' HTTP client and DynamoDB's timeouts and retries.
    pub async fn connect(key_id: &str, roots: CaRoots, limits: Limits) -> Self {
        let config = aws_config::from_env()
            .http_client(http_client(roots))
            .timeout_config(limits.timeout_config())
            .retry_config(limits.retry_config())
            .load()
            .await;
        Self::new(aws_sdk_kms::Client::new(&config), key_id)
    }

    pub fn new(client: aws_sdk_kms::Client, key_id: &str) -> Self {
        Self {
            client,
            key_id: key_id.to_owned(),
        }
    }
}

#[async_trait]
impl Sealer for KmsSealer {
    /// `plaintext` (at most 4 KiB: a PKCS#8 RSA-3072 key is under 2) encrypted for `kid`.
    async fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let out = self
            .client
            .encrypt()
            .key_id(&self.key_id)
            .plaintext(Blob::new(plaintext))
            .encryption_context("kid", kid)
            .send()
            .await
            .map_err(|e| SealError(aws_sdk_kms::error::DisplayErrorContext(e).to_string()))?;
        out.ciphertext_blob
            .map(Blob::into_inner)
            .ok_or_else(|| SealError("no ciphertext".into()))
    }

    async fn open(&self, kid: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let out = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(sealed))
            .encryption_context("kid", kid)
            .send()
            .await
            .map_err(|e| SealError(aws_sdk_kms::error::DisplayErrorContext(e).to_string()))?;
        out.plaintext
            .map(Blob::into_inner)
            .ok_or_else(|| SealError("no plaintext".into()))
    }
}
