//! Key rotation function: run daily by the template's schedule, it adds a new signing key per
//! algorithm whose newest key is `KEY_ROTATION_DAYS` old, or that has none
//! (`service::keys::rotate_due`): published at once, signing after `KEY_PUBLISH_LEAD_SECONDS`.
//! Its event carries nothing it reads; a duplicate delivery adds nothing. Answers with the
//! keys it added (public facts only).

use lambda_http::lambda_runtime::{run, service_fn, Error, LambdaEvent};
use oauth_core::clock::{Clock, SystemClock};
use oauth_core::sealing::KmsSealer;
use oauth_core::service::keys;
use oauth_core::store::dynamo::DynamoStore;
use oauth_core::store::Stores;
use oauth_core::Settings;
use serde_json::{json, Value};
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    oauth_core::logging::init(&oauth_core::config::LogSettings::from_env());
    let settings = Settings::from_env()?;
    let kms_key = settings
        .signing_kms_key_id
        .clone()
        .ok_or("SIGNING_KMS_KEY_ID is not set: the KMS key that seals signing keys")?;
    let dynamo = DynamoStore::connect(
        settings.tables.clone(),
        settings.ca_roots,
        settings.dynamodb,
    )
    .await;
    let stores = Stores::new(Arc::new(dynamo));
    let sealer = KmsSealer::connect(&kms_key, settings.ca_roots, settings.dynamodb).await;
    let (settings, stores, sealer) = (&settings, &stores, &sealer);
    run(service_fn(move |_: LambdaEvent<Value>| async move {
        let now = SystemClock.now();
        let period = settings.key_rotation_days * 86_400;
        let timing = settings.key_timing();
        let added = keys::rotate_due(&*stores.keys, sealer, now, timing, period).await?;
        for k in &added {
            tracing::info!(kid = %k.kid, alg = k.alg.as_str(), signs_from = k.signs_from, "signing key added");
        }
        if added.is_empty() {
            tracing::info!("no rotation due");
        }
        let added: Vec<Value> = added
            .iter()
            .map(|k| json!({"kid": k.kid, "alg": k.alg.as_str(), "signs_from": k.signs_from}))
            .collect();
        Ok::<_, Error>(json!({ "added": added }))
    }))
    .await
}
