//! The keyring: written whole, read back as written, and two rotations at once never both win.

use super::*;
use oauth_core::jose::Alg;
use oauth_core::protocol::keyring::{Keyring, StoredKey, Timing};

fn key(kid: &str, alg: Alg) -> StoredKey {
    StoredKey {
        kid: kid.into(),
        alg,
        public_jwk: serde_json::json!({"kty": "RSA", "kid": kid, "n": "AQAB", "e": "AQAB"}),
        sealed_private: vec![0, 255, 7, 42],
        created_at: 0,
        signs_from: 0,
        retired_at: None,
        published_until: None,
    }
}

const TIMING: Timing = Timing {
    lead: 7200,
    keep: 3600,
};

pub(super) async fn the_keyring_is_written_whole_under_a_version_check(s: Stores) {
    let empty = s.keys.keyring().await.unwrap();
    assert_eq!(empty, Keyring::default(), "none yet");
    let mut ring = empty.clone();
    ring.rotate(key("a", Alg::RS256), 1000, TIMING);
    ring.rotate(key("e", Alg::ES256), 1000, TIMING);
    s.keys.put_keyring(&ring).await.unwrap();
    let stored = s.keys.keyring().await.unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(
        stored.keys, ring.keys,
        "every field as written, sealed bytes included"
    );

    let mut later = stored.clone();
    later.rotate(key("b", Alg::RS256), 2000, TIMING);
    let mut racing = stored.clone();
    racing.rotate(key("c", Alg::RS256), 2000, TIMING);
    s.keys.put_keyring(&later).await.unwrap();
    assert!(
        failed(s.keys.put_keyring(&racing).await),
        "written over meanwhile"
    );
    assert!(
        failed(s.keys.put_keyring(&empty).await),
        "version 0 once one exists"
    );
    let now = s.keys.keyring().await.unwrap();
    assert_eq!(now.version, 2);
    let kids: Vec<&str> = now.keys.iter().map(|k| k.kid.as_str()).collect();
    assert_eq!(kids, ["a", "e", "b"]);
}
