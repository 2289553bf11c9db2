//! Signing keys for tests. The in-memory service tests run without KMS, so they seal with
//! [`TestSealer`] (which binds a key to its kid, as KMS's encryption context does, and hides
//! nothing: tests only); the DynamoDB tests and the running stack seal with moto's KMS.

use async_trait::async_trait;
use oauth_core::jose::Alg;
use oauth_core::sealing::{SealError, Sealer};
use oauth_core::service::keys;
use oauth_core::AppState;
use serde_json::Value;
use std::sync::{Arc, OnceLock};

pub struct TestSealer;

#[async_trait]
impl Sealer for TestSealer {
    async fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        Ok([kid.as_bytes(), b"\0", plaintext].concat())
    }

    async fn open(&self, kid: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let prefix = [kid.as_bytes(), b"\0"].concat();
        sealed
            .strip_prefix(prefix.as_slice())
            .map(<[u8]>::to_vec)
            .ok_or_else(|| SealError("sealed for another kid".into()))
    }
}

/// A fresh RSA 2048 key, PKCS#8 DER (generated as a rotation does).
pub fn new_rsa_pkcs8() -> Vec<u8> {
    keys::generate(Alg::RS256).expect("RSA key")
}

/// One RSA key per test process (generating one takes a while), PKCS#8 DER.
pub fn rsa_pkcs8() -> Vec<u8> {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(new_rsa_pkcs8).clone()
}

/// A fresh P-256 key, PKCS#8 DER.
pub fn p256_pkcs8() -> Vec<u8> {
    keys::generate(Alg::ES256).expect("P-256 key")
}

/// `state`, signing with an RS256 and an ES256 key that sign from now on (the process's RSA
/// key: see [`with_fresh_keys`] for one of its own).
pub async fn with_keys(state: AppState) -> AppState {
    with_these_keys(state, rsa_pkcs8()).await
}

/// [`with_keys`] with an RSA key no other state has.
pub async fn with_fresh_keys(state: AppState) -> AppState {
    with_these_keys(state, new_rsa_pkcs8()).await
}

async fn with_these_keys(state: AppState, rsa: Vec<u8>) -> AppState {
    let state = state.with_sealer(Arc::new(TestSealer));
    let (now, timing) = (state.now(), state.settings.key_timing());
    for (alg, der) in [(Alg::RS256, rsa), (Alg::ES256, p256_pkcs8())] {
        keys::rotate(&*state.store.keys, &TestSealer, (alg, &der), now, timing)
            .await
            .expect("rotate");
    }
    state
}

/// The keys `state` publishes now, as a relying party fetches them.
pub async fn published(state: &AppState) -> Vec<Value> {
    let ring = state.store.keys.keyring().await.expect("keyring");
    keys::jwks(&ring, state.now())["keys"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The JSON payload of a JWT that verifies with `jwks`, and its header; panics otherwise.
pub fn verified(token: &str, jwks: &[Value]) -> (Value, Value) {
    let v = oauth_core::jose::verify(token, jwks).expect("the JWT verifies with the JWKS");
    let payload = serde_json::from_slice(&v.payload).expect("JSON claims");
    (v.header, payload)
}

/// The environment that points a process (`oauth-admin keys rotate`, the `rotate-keys`
/// function) at the KMS emulator and a key of its own. KMS calls are not DynamoDB's, so the
/// harness does not see them: the template tests check the `kms:` permissions.
pub fn kms_env() -> Vec<(&'static str, String)> {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let endpoint = local_stack::moto_kms().endpoint();
    let key = KEY.get_or_init(|| {
        let endpoint = endpoint.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let kms = local_stack::local_kms_client(&endpoint);
                let key = kms.create_key().send().await.unwrap();
                key.key_metadata().unwrap().key_id().to_owned()
            })
        })
        .join()
        .unwrap()
    });
    vec![
        ("SIGNING_KMS_KEY_ID", key.clone()),
        ("AWS_ENDPOINT_URL_KMS", endpoint),
    ]
}
