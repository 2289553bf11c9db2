//! Secrets: random values, their stored digests, and password hashes.
//!
//! Codes, tokens and client secrets are 256-bit random values handed out once; only their
//! SHA-256 digest is stored. Passwords are PBKDF2-HMAC-SHA256 with the iteration count in the
//! stored string, so the count can rise without invalidating old hashes.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, pbkdf2};
use std::num::NonZeroU32;

const PBKDF2_PREFIX: &str = "pbkdf2-sha256";
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// `n` random bytes, base64url without padding.
pub fn random_string(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The system RNG failing is not a condition the process can recover from.
    SystemRandom::new()
        .fill(&mut buf)
        .unwrap_or_else(|_| std::process::abort());
    URL_SAFE_NO_PAD.encode(buf)
}

/// An identifier of `len` letters and digits (client ids, subjects): unlike base64url it never
/// starts with `-`, which command lines would read as an option.
pub fn random_id(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    let rng = SystemRandom::new();
    while out.len() < len {
        let mut buf = [0u8; 32];
        rng.fill(&mut buf).unwrap_or_else(|_| std::process::abort());
        // 248 = 4 × 62: bytes above it are dropped so every character is equally likely.
        out.extend(
            buf.iter()
                .filter(|b| **b < 248)
                .map(|b| char::from(ALPHABET[usize::from(*b) % 62]))
                .take(len - out.len()),
        );
    }
    out
}

/// A random 64-bit number.
pub fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    SystemRandom::new()
        .fill(&mut b)
        .unwrap_or_else(|_| std::process::abort());
    u64::from_le_bytes(b)
}

/// One random byte (jitter).
pub fn random_byte() -> u8 {
    let mut b = [0u8; 1];
    SystemRandom::new()
        .fill(&mut b)
        .unwrap_or_else(|_| std::process::abort());
    b[0]
}

/// A fresh secret with 256 bits of entropy.
pub fn new_secret() -> String {
    random_string(32)
}

/// The stored form of a secret: SHA-256, base64url.
pub fn digest(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, secret.as_bytes()))
}

/// Equality in time that does not depend on where the inputs differ (`subtle`).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// Whether `secret` matches a stored digest, in constant time.
pub fn secret_matches(secret: &str, stored_digest: &str) -> bool {
    constant_time_eq(digest(secret).as_bytes(), stored_digest.as_bytes())
}

thread_local! {
    static HASHED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many password hashes (PBKDF2 runs) this thread has computed: tests show which
/// attempts are refused before any hashing.
pub fn hashes_on_this_thread() -> u64 {
    HASHED.with(|h| h.get())
}

fn count_hash() {
    HASHED.with(|h| h.set(h.get() + 1));
}

/// `pbkdf2-sha256$<iterations>$<salt>$<hash>`, base64url parts.
pub fn hash_password(password: &str, iterations: NonZeroU32) -> String {
    count_hash();
    let salt = random_string(SALT_LEN);
    let mut out = [0u8; HASH_LEN];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt.as_bytes(),
        password.as_bytes(),
        &mut out,
    );
    format!(
        "{PBKDF2_PREFIX}${iterations}${salt}${}",
        URL_SAFE_NO_PAD.encode(out)
    )
}

/// Verifies against a stored hash; a malformed stored value never verifies.
pub fn verify_password(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some(PBKDF2_PREFIX), Some(iter), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(iterations), Ok(expected)) = (iter.parse::<NonZeroU32>(), URL_SAFE_NO_PAD.decode(hash))
    else {
        return false;
    };
    count_hash();
    pbkdf2::verify(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt.as_bytes(),
        password.as_bytes(),
        &expected,
    )
    .is_ok()
}

/// Spends the same work as a real verification, so an unknown user answers as slowly as a
/// known one with a wrong password.
pub fn burn_password_check(password: &str, iterations: NonZeroU32) {
    count_hash();
    let mut out = [0u8; HASH_LEN];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        b"no-such-user-salt",
        password.as_bytes(),
        &mut out,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_and_distinct() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn ids_are_letters_and_digits() {
        let id = random_id(22);
        assert_eq!(id.len(), 22);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
        assert_ne!(id, random_id(22));
    }

    #[test]
    fn digest_matches_only_its_secret() {
        let s = new_secret();
        let d = digest(&s);
        assert!(secret_matches(&s, &d));
        assert!(!secret_matches(&new_secret(), &d));
        assert!(!d.contains(&s));
    }

    #[test]
    fn password_round_trip_and_format() {
        let it = NonZeroU32::new(1000).unwrap();
        let h = hash_password("correct horse", it);
        assert!(h.starts_with("pbkdf2-sha256$1000$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct hors", &h));
        assert!(!verify_password("correct horse", "garbage"));
        assert!(!verify_password("correct horse", &format!("{h}$extra")));
    }
}
