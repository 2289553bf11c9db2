//! `oauth-admin keys …`: the signing keys. A rotation generates the key
//! (`service::keys::generate`), seals it with KMS and adds it to the keyring; its private
//! half is never printed or stored in the clear.

use crate::{now, Ctx};
use clap::{Subcommand, ValueEnum};
use oauth_core::jose::Alg;
use oauth_core::protocol::keyring::StoredKey;
use oauth_core::sealing::KmsSealer;
use oauth_core::service::admin::AdminError;
use oauth_core::service::keys;
use serde_json::{json, Value};

#[derive(Subcommand)]
pub(crate) enum KeysCmd {
    /// The keys: published, signing, retired, and when each changes.
    List,
    /// Add a new key per algorithm: published now, signing after KEY_PUBLISH_LEAD_SECONDS
    /// (at once for the first key); the key it replaces stays published until the tokens it
    /// signed have expired.
    Rotate {
        /// Only this algorithm (default: both).
        #[arg(long, value_enum)]
        alg: Option<KeyAlg>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum KeyAlg {
    #[value(name = "RS256")]
    Rs256,
    #[value(name = "ES256")]
    Es256,
}

impl From<KeyAlg> for Alg {
    fn from(a: KeyAlg) -> Self {
        match a {
            KeyAlg::Rs256 => Alg::RS256,
            KeyAlg::Es256 => Alg::ES256,
        }
    }
}

fn key_json(k: &StoredKey, now: u64) -> Value {
    let state = match (k.retired_at, k.signs_from) {
        (Some(r), _) if r <= now => "retired",
        (_, from) if from > now => "next",
        _ => "signing",
    };
    json!({
        "kid": k.kid,
        "alg": k.alg.as_str(),
        "state": state,
        "created_at": k.created_at,
        "signs_from": k.signs_from,
        "retired_at": k.retired_at,
        "published_until": k.published_until,
    })
}

pub(crate) async fn keys(ctx: &Ctx, cmd: KeysCmd) -> Result<Value, AdminError> {
    let store = &*ctx.stores.keys;
    let now = now();
    match cmd {
        KeysCmd::List => {
            let ring = store.keyring().await?;
            Ok(Value::Array(
                ring.keys.iter().map(|k| key_json(k, now)).collect(),
            ))
        }
        KeysCmd::Rotate { alg } => {
            let Some(kms_key) = ctx.settings.signing_kms_key_id.as_deref() else {
                return Err(AdminError::Invalid(
                    "SIGNING_KMS_KEY_ID is not set: the KMS key that seals signing keys".into(),
                ));
            };
            let s = &ctx.settings;
            let sealer = KmsSealer::connect(kms_key, s.ca_roots, s.dynamodb).await;
            let algs = match alg {
                Some(KeyAlg::Rs256) => vec![Alg::RS256],
                Some(KeyAlg::Es256) => vec![Alg::ES256],
                None => vec![Alg::RS256, Alg::ES256],
            };
            let mut added = Vec::new();
            for alg in algs {
                let pkcs8 = keys::generate(alg).map_err(|e| AdminError::Invalid(e.to_string()))?;
                let key = keys::rotate(store, &sealer, (alg, &pkcs8), now, s.key_timing())
                    .await
                    .map_err(|e| AdminError::Invalid(e.to_string()))?;
                added.push(key_json(&key, now));
            }
            Ok(Value::Array(added))
        }
    }
}
