//! Signing keys end to end on DynamoDB Local and the KMS emulator: a rotation publishes a key
//! before it signs, the JWKS endpoint serves the public halves, and what a function signs with
//! the keys it loads verifies with the published JWKS alone.

use local_stack::{local_kms_client, moto_kms};
use oauth_core::jose::{self, Alg};
use oauth_core::sealing::KmsSealer;
use oauth_core::service::keys::{self, Signers};
use oauth_tests::*;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

async fn sealer() -> KmsSealer {
    let client = local_kms_client(&moto_kms().endpoint());
    let key = client.create_key().send().await.unwrap();
    KmsSealer::new(client, key.key_metadata().unwrap().key_id())
}

fn p256() -> Vec<u8> {
    let rng = ring::rand::SystemRandom::new();
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    der.as_ref().to_vec()
}

#[tokio::test]
async fn a_rotated_key_is_published_before_it_signs_and_verifies_from_the_jwks() {
    let (state, _) = dynamo_state().await;
    let sealer = sealer().await;
    let timing = state.settings.key_timing();
    let store = &*state.store.keys;
    let t0 = now();
    let private = p256();
    let first = keys::rotate(store, &sealer, (Alg::ES256, &private), t0, timing)
        .await
        .unwrap();
    let stored = store.keyring().await.unwrap().keys[0]
        .sealed_private
        .clone();
    let shows = |window: &[u8]| stored.windows(16).any(|w| w == window);
    assert!(
        !private.windows(16).any(shows),
        "sealed, never in the clear"
    );

    let jwks =
        oauth_tests::call::token(&state, oauth_tests::call::get("/.well-known/jwks.json")).await;
    assert_eq!(jwks.status, 200);
    assert_eq!(jwks.header("access-control-allow-origin"), Some("*"));
    let published: Vec<serde_json::Value> = jwks.json["keys"].as_array().unwrap().clone();
    assert_eq!(published.len(), 1);
    assert!(published[0].get("d").is_none(), "public half only");

    let signers = Signers::load(store, &sealer, t0).await.unwrap();
    let jwt = signers
        .signer(Alg::ES256, t0)
        .unwrap()
        .sign_jwt("at+jwt", &serde_json::json!({"sub": "a"}))
        .unwrap();
    let verified = jose::verify(&jwt, &published).expect("verifies with the JWKS alone");
    assert_eq!(verified.header["kid"], first.kid.as_str());

    let second = keys::rotate(store, &sealer, (Alg::ES256, &p256()), t0, timing)
        .await
        .unwrap();
    let ws = oauth_tests::call::token(
        &state,
        oauth_tests::call::get("/acme/.well-known/jwks.json"),
    )
    .await;
    assert_eq!(
        ws.json["keys"].as_array().unwrap().len(),
        2,
        "the next key is published at once"
    );
    let warm = Signers::load(store, &sealer, t0).await.unwrap();
    assert_eq!(
        warm.signer(Alg::ES256, t0).unwrap().kid,
        first.kid,
        "the old key still signs"
    );
    let later = t0 + timing.lead;
    let ahead = Signers::load(store, &sealer, later - 60).await.unwrap();
    let signs = ahead.signer(Alg::ES256, later).unwrap();
    assert_eq!(signs.kid, second.kid, "loaded ahead of its time");
    assert!(
        warm.signer(Alg::ES256, later).is_none(),
        "a stale copy signs nothing"
    );
}

/// Two deliveries of one scheduled firing at once (the scheduler delivers at least once, and
/// may deliver twice): one key per algorithm is added, not two; the loser of the keyring's
/// version check decides again on what the winner wrote.
#[tokio::test]
async fn two_scheduled_rotations_at_once_add_one_key_per_algorithm() {
    let (state, _) = dynamo_state().await;
    let sealer = oauth_tests::signing::TestSealer;
    let (store, timing, t) = (&*state.store.keys, state.settings.key_timing(), now());
    let period = 30 * 86_400;
    let (a, b) = tokio::join!(
        keys::rotate_due(store, &sealer, t, timing, period),
        keys::rotate_due(store, &sealer, t, timing, period),
    );
    let added = a.unwrap().len() + b.unwrap().len();
    let ring = store.keyring().await.unwrap();
    let algs: Vec<Alg> = ring.keys.iter().map(|k| k.alg).collect();
    assert_eq!((added, ring.keys.len()), (2, 2), "{algs:?}");
    assert!(algs.contains(&Alg::RS256) && algs.contains(&Alg::ES256));
}
