//! What a JWT costs in-process: signing an RFC 9068 access token with the deployment's keys,
//! verifying it against the published JWKS (the authorizer's work on a JWT), and generating a
//! key (the scheduled rotation's work).

use crate::measure::{percentile, sorted};
use oauth_core::jose::{self, Alg, Signer};
use oauth_core::service::keys;
use serde_json::json;
use std::time::Instant;

/// Operations per timed batch, and batches per figure.
const BATCH: usize = 100;
const BATCHES: usize = 20;

/// One in-process figure: its name and the median µs per operation over batches.
pub(crate) struct Cost {
    pub(crate) name: String,
    pub(crate) us_median: f64,
    pub(crate) us_min: f64,
    pub(crate) us_max: f64,
}

fn timed(name: String, batch: usize, batches: usize, mut op: impl FnMut()) -> Cost {
    op(); // the first call pays for lazy set-up
    let per_op: Vec<f64> = (0..batches)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                op();
            }
            start.elapsed().as_secs_f64() * 1e6 / batch as f64
        })
        .collect();
    let per_op = sorted(per_op);
    Cost {
        name,
        us_median: percentile(&per_op, 50.0),
        us_min: per_op[0],
        us_max: per_op[per_op.len() - 1],
    }
}

/// Signing and verifying an access token with an RS256 and an ES256 key, and generating
/// each kind of key.
pub(crate) fn costs() -> Vec<Cost> {
    let claims = json!({
        "iss": "https://auth.example", "sub": "bench-client", "aud": "https://api.example",
        "client_id": "bench-client", "scope": "read write", "jti": "0123456789abcdef0123456789abcdef",
        "iat": 1_765_000_000u64, "exp": 1_765_003_600u64,
    });
    let mut out = Vec::new();
    for alg in [Alg::RS256, Alg::ES256] {
        let pkcs8 = keys::generate(alg).expect("key");
        let signer = Signer::from_pkcs8(alg, "bench", &pkcs8).expect("signer");
        let jwks = [signer.public_jwk()];
        let token = signer.sign_jwt("at+jwt", &claims).expect("sign");
        let name = alg.as_str();
        out.push(timed(
            format!("sign an access token, {name}"),
            BATCH,
            BATCHES,
            || {
                signer.sign_jwt("at+jwt", &claims).expect("sign");
            },
        ));
        out.push(timed(
            format!("verify it with the JWKS, {name}"),
            BATCH,
            BATCHES,
            || {
                jose::verify(&token, &jwks).expect("verifies");
            },
        ));
        // RSA generation varies a lot (prime search): a few single runs.
        out.push(timed(format!("generate a key, {name}"), 1, 10, || {
            keys::generate(alg).expect("key");
        }));
    }
    out
}
