//! The SDK's HTTP client: rustls with ring (smaller than the default aws-lc build, and no C
//! toolchain beyond ring's), trusting Amazon's root CAs only unless told otherwise.

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use std::time::Duration;

/// How long a DynamoDB call may take, and how often it is tried: well inside the functions'
/// timeouts, so a DynamoDB that hangs gives an answer (503) instead of Lambda's timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `DYNAMODB_ATTEMPT_TIMEOUT_MS`: one attempt, connection included.
    pub attempt_ms: u64,
    /// `DYNAMODB_OPERATION_TIMEOUT_MS`: every attempt of one call, with the backoff between.
    pub operation_ms: u64,
    /// `DYNAMODB_MAX_ATTEMPTS`: tries per call (throttling, 5xx, timeouts, resets are retried).
    pub max_attempts: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            attempt_ms: 1_000,
            operation_ms: 2_500,
            max_attempts: 3,
        }
    }
}

impl Limits {
    pub fn timeout_config(&self) -> TimeoutConfig {
        let attempt = Duration::from_millis(self.attempt_ms);
        TimeoutConfig::builder()
            .connect_timeout(attempt)
            .read_timeout(attempt)
            .operation_attempt_timeout(attempt)
            .operation_timeout(Duration::from_millis(self.operation_ms))
            .build()
    }

    /// Standard retries with a short backoff: the SDK's default starts at a second, which a
    /// request cannot afford.
    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(Duration::from_millis(20))
            .with_max_backoff(Duration::from_millis(200))
    }
}

/// Which certificate authorities the DynamoDB connection trusts (`DYNAMODB_CA_ROOTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaRoots {
    /// Amazon Root CA 1-4, embedded: every regional DynamoDB endpoint's chain ends at one of
    /// them. Loading and parsing the platform's whole store (hundreds of certificates) took
    /// more than half of a cold start's init in `make bench`.
    #[default]
    Amazon,
    /// The platform's store (a TLS-inspecting proxy, an endpoint with another CA).
    System,
}

/// Amazon Trust Services' root CAs (public certificates, as Debian's ca-certificates ships them).
const AMAZON_ROOT_CAS: &str = include_str!("../../../certs/amazon-root-cas.pem");

pub fn http_client(roots: CaRoots) -> aws_sdk_dynamodb::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{
        rustls_provider::CryptoMode, Provider, TlsContext, TrustStore,
    };
    let mut builder =
        aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring));
    if roots == CaRoots::Amazon {
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
