//! The scheduled key rotation as deployed: the `rotate-keys` binary under a Lambda Runtime
//! API, on DynamoDB Local behind the strict harness (which records what IAM would check) and
//! the KMS emulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use local_stack::runtime_api::Emulator;
use local_stack::{local_env, local_kms_client};
use oauth_core::jose::{self, Alg};
use oauth_core::sealing::KmsSealer;
use oauth_core::service::keys::{self, Signers};
use oauth_tests::signing::{kms_env, rsa_pkcs8};
use oauth_tests::template::{assert_same_permissions, function_permissions, logical_permissions};
use oauth_tests::{harnessed_state, now};
use serde_json::{json, Value};
use std::time::Duration;

const DAY: u64 = 86_400;

/// What EventBridge Scheduler hands the function (it reads none of it).
fn scheduled_event() -> Value {
    json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-12-08T00:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/rotate-keys"],
        "detail": {}
    })
}

fn added(answer: &Value) -> Vec<(String, String)> {
    answer["added"]
        .as_array()
        .expect("added")
        .iter()
        .map(|k| {
            (
                k["alg"].as_str().unwrap().into(),
                k["kid"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scheduled_rotation_adds_a_key_when_due_once_and_within_its_policy() {
    let (state, harness, direct) = harnessed_state().await;
    let kms = kms_env();
    let sealer = KmsSealer::new(local_kms_client(&kms[1].1), &kms[0].1);
    let timing = state.settings.key_timing();
    // An RS256 key one rotation period (the default 30 days) old, and no ES256 key.
    let old = keys::rotate(
        &*direct,
        &sealer,
        (Alg::RS256, &rsa_pkcs8()),
        now() - 30 * DAY,
        timing,
    )
    .await
    .unwrap();
    harness.take_permissions();

    let mut runtime = Emulator::start().await;
    let _function = tokio::process::Command::new(env!("CARGO_BIN_EXE_rotate-keys"))
        .envs(local_env(&harness.endpoint, direct.tables()))
        .envs(kms)
        .env("AWS_LAMBDA_RUNTIME_API", &runtime.addr)
        .env("AWS_LAMBDA_FUNCTION_NAME", "rotate-keys")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_LEVEL", "WARN")
        .kill_on_drop(true)
        .spawn()
        .expect("the rotate-keys binary");
    runtime.wait_ready(Duration::from_secs(60)).await;

    let t = now();
    let (_, first) = runtime.invoke(&scheduled_event()).await;
    let first = added(&first);
    let algs: Vec<&str> = first.iter().map(|(alg, _)| alg.as_str()).collect();
    assert_eq!(
        algs,
        ["RS256", "ES256"],
        "the old key's successor, the missing one"
    );
    let (_, again) = runtime.invoke(&scheduled_event()).await;
    assert_eq!(
        added(&again),
        [],
        "a second delivery of the firing adds nothing"
    );

    let ring = direct_keyring(&direct).await;
    assert_eq!(ring.keys.len(), 3, "{ring:?}");
    let rs_new = &first[0].1;
    // The old key stops signing when the new one starts, and stays published until every
    // token it signed has expired.
    let new_key = ring.keys.iter().find(|k| &k.kid == rs_new).unwrap();
    let old_key = ring.keys.iter().find(|k| k.kid == old.kid).unwrap();
    assert_eq!(new_key.signs_from, new_key.created_at + timing.lead);
    assert_eq!(old_key.retired_at, Some(new_key.signs_from));
    assert_eq!(
        old_key.published_until,
        Some(new_key.signs_from + timing.keep)
    );
    // Published at once, signing after the lead; the old key signs until then.
    let signers = Signers::load(&*direct, &sealer, t).await.unwrap();
    assert_eq!(signers.signer(Alg::RS256, t).unwrap().kid, old.kid);
    assert_eq!(signers.signer(Alg::ES256, t).unwrap().kid, first[1].1);
    let later = t + timing.lead + 60;
    let ahead = Signers::load(&*direct, &sealer, later - 120).await.unwrap();
    let signer = ahead.signer(Alg::RS256, later).unwrap();
    assert_eq!(&signer.kid, rs_new);
    let jwt = signer.sign_jwt("at+jwt", &json!({"sub": "a"})).unwrap();
    let jwks = keys::jwks(&ring, t);
    let published = jwks["keys"].as_array().unwrap();
    assert_eq!(published.len(), 3, "the old key stays published");
    jose::verify(&jwt, published).expect("the new key's JWT verifies with the JWKS of now");

    let used = logical_permissions(harness.take_permissions(), direct.tables());
    assert_same_permissions(
        "KeyRotationFunction",
        &used,
        &function_permissions("KeyRotationFunction"),
    );
}

async fn direct_keyring(
    direct: &oauth_core::store::dynamo::DynamoStore,
) -> oauth_core::protocol::keyring::Keyring {
    use oauth_core::store::KeyStore;
    direct.keyring().await.unwrap()
}
