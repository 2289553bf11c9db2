//! Private keys sealed with KMS, against the `moto` emulator: what is sealed for one key id
//! opens for that id only, and nothing of the plaintext is in the sealed bytes.

use local_stack::{local_kms_client, moto_kms};
use oauth_core::sealing::{KmsSealer, Sealer};

#[tokio::test]
async fn a_sealed_key_opens_for_its_own_kid_only() {
    let client = local_kms_client(&moto_kms().endpoint());
    let key = client.create_key().send().await.unwrap();
    let key_id = key.key_metadata().unwrap().key_id().to_owned();
    let sealer = KmsSealer::new(client, &key_id);
    let secret = b"-----a private key, PKCS#8 DER in real life-----".repeat(20);
    let sealed = sealer.seal("kid-1", &secret).await.unwrap();
    assert!(
        !sealed
            .windows(16)
            .any(|w| secret.windows(16).any(|s| s == w)),
        "nothing of the plaintext shows"
    );
    assert_eq!(sealer.open("kid-1", &sealed).await.unwrap(), secret);
    assert!(
        sealer.open("kid-2", &sealed).await.is_err(),
        "bound to its kid"
    );
    let other = KmsSealer::new(local_kms_client(&moto_kms().endpoint()), "no-such-key");
    assert!(other.seal("kid-1", &secret).await.is_err());
}
