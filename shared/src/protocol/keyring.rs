//! The signing keys and their lifecycle, as data: which key signs now, which are published in
//! the JWKS, and what a rotation changes. No I/O and no key material beyond the sealed bytes.
//!
//! A new key is published before it signs (`lead`: API Gateway's JWT authorizer caches a JWKS
//! for up to two hours, and relying parties cache too), and a replaced key stays published
//! until every token it signed has expired (`keep`).

use crate::jose::Alg;
use serde_json::Value;

/// One signing key as stored: its public JWK, and its private key sealed (encrypted by the
/// key management service; never stored in the clear).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredKey {
    pub kid: String,
    pub alg: Alg,
    pub public_jwk: Value,
    pub sealed_private: Vec<u8>,
    pub created_at: u64,
    /// When it starts signing (published from `created_at`).
    pub signs_from: u64,
    /// When a newer key took over its signing.
    pub retired_at: Option<u64>,
    /// When it leaves the JWKS (every token it signed has expired by then).
    pub published_until: Option<u64>,
}

/// Every key, and the version a conditional write of the set checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keyring {
    pub version: u64,
    pub keys: Vec<StoredKey>,
}

/// How a rotation times its keys.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Seconds a new key is published before it signs.
    pub lead: u64,
    /// Seconds a replaced key stays published after it stops signing: the longest token life.
    pub keep: u64,
}

impl Keyring {
    /// The key that signs with `alg` at `now`: the newest one whose time has come and that no
    /// newer key replaced.
    pub fn signing(&self, alg: Alg, now: u64) -> Option<&StoredKey> {
        self.keys
            .iter()
            .filter(|k| k.alg == alg && k.signs_from <= now && k.retired_at.is_none_or(|r| r > now))
            .max_by_key(|k| k.signs_from)
    }

    /// The public keys a relying party may meet at `now`: upcoming, signing, and replaced ones
    /// whose tokens may still be alive.
    pub fn published(&self, now: u64) -> Vec<&Value> {
        self.keys
            .iter()
            .filter(|k| k.published_until.is_none_or(|until| until > now))
            .map(|k| &k.public_jwk)
            .collect()
    }

    /// Whether a scheduled rotation should add a key of `alg` now: when none is in use, or its
    /// newest is `period` seconds old, less an hour (a daily schedule that fires a little
    /// earlier than the day before still rotates on time). A key added by hand counts too, and
    /// a second delivery of one firing (the scheduler delivers at least once) finds the key it
    /// added new.
    pub fn rotation_due(&self, alg: Alg, now: u64, period: u64) -> bool {
        const SLACK: u64 = 3600;
        self.keys
            .iter()
            .filter(|k| k.alg == alg && k.retired_at.is_none())
            .map(|k| k.created_at)
            .max()
            .is_none_or(|newest| now.saturating_sub(newest) >= period.saturating_sub(SLACK))
    }

    /// Adds `new` (its `created_at` is `now`): it signs after `timing.lead`, or at once when no
    /// key of its algorithm signs (the first key). The keys of that algorithm that sign or are
    /// due to are retired when it starts, and leave the JWKS `timing.keep` later. Keys whose
    /// publication is over are dropped.
    pub fn rotate(&mut self, mut new: StoredKey, now: u64, timing: Timing) {
        let first = self.signing(new.alg, now).is_none()
            && !self
                .keys
                .iter()
                .any(|k| k.alg == new.alg && k.retired_at.is_none());
        new.created_at = now;
        new.signs_from = if first { now } else { now + timing.lead };
        for k in self
            .keys
            .iter_mut()
            .filter(|k| k.alg == new.alg && k.retired_at.is_none())
        {
            k.retired_at = Some(new.signs_from);
            k.published_until = Some(new.signs_from + timing.keep);
        }
        self.keys
            .retain(|k| k.published_until.is_none_or(|until| until > now));
        self.keys.push(new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TIMING: Timing = Timing {
        lead: 7200,
        keep: 3600,
    };

    fn key(kid: &str, alg: Alg) -> StoredKey {
        StoredKey {
            kid: kid.into(),
            alg,
            public_jwk: json!({"kid": kid}),
            sealed_private: vec![1, 2, 3],
            created_at: 0,
            signs_from: 0,
            retired_at: None,
            published_until: None,
        }
    }

    fn kids(ring: &Keyring, now: u64) -> Vec<&str> {
        ring.published(now)
            .into_iter()
            .filter_map(|j| j["kid"].as_str())
            .collect()
    }

    #[test]
    fn a_scheduled_rotation_is_due_for_a_missing_or_old_key_and_not_twice() {
        const DAY: u64 = 86_400;
        let mut ring = Keyring::default();
        assert!(ring.rotation_due(Alg::RS256, 0, 30 * DAY), "no key yet");
        ring.rotate(key("a", Alg::RS256), 0, TIMING);
        assert!(!ring.rotation_due(Alg::RS256, 29 * DAY, 30 * DAY));
        assert!(!ring.rotation_due(Alg::RS256, 30 * DAY - 3601, 30 * DAY));
        assert!(
            ring.rotation_due(Alg::RS256, 30 * DAY - 60, 30 * DAY),
            "the daily run fired a minute earlier than thirty days before"
        );
        assert!(ring.rotation_due(Alg::ES256, 1, 30 * DAY), "per algorithm");
        ring.rotate(key("b", Alg::RS256), 30 * DAY, TIMING);
        assert!(
            !ring.rotation_due(Alg::RS256, 30 * DAY + 60, 30 * DAY),
            "a second delivery of the same firing: b is new, though a signs until b's time"
        );
    }

    #[test]
    fn the_first_key_signs_at_once_and_later_ones_after_the_lead() {
        let mut ring = Keyring::default();
        ring.rotate(key("a", Alg::RS256), 1000, TIMING);
        assert_eq!(ring.signing(Alg::RS256, 1000).unwrap().kid, "a");
        assert!(ring.signing(Alg::ES256, 1000).is_none(), "per algorithm");

        ring.rotate(key("b", Alg::RS256), 2000, TIMING);
        assert_eq!(
            kids(&ring, 2000),
            ["a", "b"],
            "b is published before it signs"
        );
        assert_eq!(ring.signing(Alg::RS256, 2000 + 7199).unwrap().kid, "a");
        assert_eq!(ring.signing(Alg::RS256, 2000 + 7200).unwrap().kid, "b");
        assert_eq!(
            kids(&ring, 2000 + 7200 + 3599),
            ["a", "b"],
            "a's tokens may live"
        );
        assert_eq!(kids(&ring, 2000 + 7200 + 3600), ["b"]);
    }

    #[test]
    fn a_rotation_before_the_next_key_signs_replaces_it_too_and_drops_the_expired() {
        let mut ring = Keyring::default();
        ring.rotate(key("a", Alg::RS256), 0, TIMING);
        ring.rotate(key("es", Alg::ES256), 0, TIMING);
        ring.rotate(key("b", Alg::RS256), 100, TIMING);
        ring.rotate(key("c", Alg::RS256), 200, TIMING);
        assert_eq!(
            ring.signing(Alg::RS256, 300).unwrap().kid,
            "a",
            "a until b's time"
        );
        assert_eq!(
            ring.signing(Alg::RS256, 100 + 7200).unwrap().kid,
            "b",
            "b until c's"
        );
        assert_eq!(ring.signing(Alg::RS256, 200 + 7200).unwrap().kid, "c");
        assert_eq!(
            ring.signing(Alg::ES256, 300).unwrap().kid,
            "es",
            "untouched"
        );
        ring.rotate(key("d", Alg::RS256), 200 + 7200 + 3600, TIMING);
        let left: Vec<&str> = ring.keys.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(
            left,
            ["es", "c", "d"],
            "a and b dropped once their publication ended"
        );
    }
}
