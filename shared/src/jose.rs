//! JSON Web Signatures (RFC 7515) in compact form, with the two algorithms this server signs
//! with (RFC 7518): RS256, the only family API Gateway's JWT authorizer accepts, and ES256.
//! Keys are `ring`'s; their public halves are published as JWKs (RFC 7517). Verification
//! takes only the published JWKs, as a relying party would.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::rand::SystemRandom;
use ring::signature::{
    self, EcdsaKeyPair, KeyPair, RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    RS256,
    ES256,
}

impl Alg {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::ES256 => "ES256",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "RS256" => Some(Self::RS256),
            "ES256" => Some(Self::ES256),
            _ => None,
        }
    }
}

enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// A private signing key and its key id.
pub struct Signer {
    pub kid: String,
    key: Key,
}

#[derive(Debug, thiserror::Error)]
#[error("the signing key is not a valid {0} key")]
pub struct BadKey(&'static str);

#[derive(Debug, thiserror::Error)]
#[error("signing failed")]
pub struct SignError;

impl Signer {
    /// A key from its PKCS#8 DER form (RSA 2048-4096 bits, or P-256).
    pub fn from_pkcs8(alg: Alg, kid: &str, der: &[u8]) -> Result<Self, BadKey> {
        let key = match alg {
            Alg::RS256 => Key::Rsa(RsaKeyPair::from_pkcs8(der).map_err(|_| BadKey("RS256"))?),
            Alg::ES256 => Key::Ec(
                EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    der,
                    &SystemRandom::new(),
                )
                .map_err(|_| BadKey("ES256"))?,
            ),
        };
        Ok(Self {
            kid: kid.to_owned(),
            key,
        })
    }

    pub fn alg(&self) -> Alg {
        match self.key {
            Key::Rsa(_) => Alg::RS256,
            Key::Ec(_) => Alg::ES256,
        }
    }

    /// The public key as a JWK, with `kid`, `alg` and `use: sig`.
    pub fn public_jwk(&self) -> Value {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let mut jwk = match &self.key {
            Key::Rsa(k) => {
                let public = RsaPublicKeyComponents::<Vec<u8>>::from(k.public());
                json!({"kty": "RSA", "n": b64(&public.n), "e": b64(&public.e)})
            }
            Key::Ec(k) => {
                // An uncompressed point: 0x04, then x and y of 32 bytes each.
                let point = k.public_key().as_ref();
                json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])})
            }
        };
        jwk["kid"] = json!(self.kid);
        jwk["alg"] = json!(self.alg().as_str());
        jwk["use"] = json!("sig");
        jwk
    }

    /// The signature of `input` (the JWS signing input).
    pub fn sign(&self, input: &[u8]) -> Result<Vec<u8>, SignError> {
        let rng = SystemRandom::new();
        match &self.key {
            Key::Rsa(k) => {
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, input, &mut out)
                    .map_err(|_| SignError)?;
                Ok(out)
            }
            Key::Ec(k) => k
                .sign(&rng, input)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SignError),
        }
    }

    /// `claims` signed as a compact JWS whose header is `alg`, `kid` and `typ`.
    pub fn sign_jwt(&self, typ: &str, claims: &Value) -> Result<String, SignError> {
        let header = json!({"alg": self.alg().as_str(), "kid": self.kid, "typ": typ});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = URL_SAFE_NO_PAD.encode(self.sign(input.as_bytes())?);
        Ok(format!("{input}.{signature}"))
    }
}

/// A verified compact JWS: its header and payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub header: Value,
    pub payload: Vec<u8>,
}

/// Verifies a compact JWS against the published `jwks` only: its `alg` must be RS256 or ES256
/// and match the key's, the key is the one its `kid` names (or the only key, without `kid`)
/// and is meant for signatures; a header with `crit` (no extension is understood here) is
/// refused (RFC 7515 §4.1.11).
pub fn verify(token: &str, jwks: &[Value]) -> Option<Verified> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    if header.get("crit").is_some() {
        return None;
    }
    let alg = Alg::parse(header["alg"].as_str()?)?;
    let key = match header.get("kid") {
        Some(Value::String(kid)) => jwks.iter().find(|k| k["kid"] == kid.as_str())?,
        Some(_) => return None,
        None if jwks.len() == 1 => &jwks[0],
        None => return None,
    };
    let for_signing = key.get("use").is_none_or(|u| u == "sig")
        && key["key_ops"]
            .as_array()
            .is_none_or(|ops| ops.iter().any(|o| o == "verify"));
    if !for_signing || key.get("alg").is_some_and(|a| a != alg.as_str()) {
        return None;
    }
    let payload = URL_SAFE_NO_PAD.decode(p).ok()?;
    let signature = URL_SAFE_NO_PAD.decode(s).ok()?;
    let input = format!("{h}.{p}");
    let field = |name: &str| URL_SAFE_NO_PAD.decode(key[name].as_str()?).ok();
    let ok = match alg {
        Alg::RS256 if key["kty"] == "RSA" => RsaPublicKeyComponents {
            n: field("n")?,
            e: field("e")?,
        }
        .verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            input.as_bytes(),
            &signature,
        )
        .is_ok(),
        Alg::ES256 if key["kty"] == "EC" && key["crv"] == "P-256" => {
            let (x, y) = (field("x")?, field("y")?);
            if x.len() != 32 || y.len() != 32 {
                return None;
            }
            let point = [vec![4u8], x, y].concat();
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(input.as_bytes(), &signature)
                .is_ok()
        }
        _ => false,
    };
    ok.then_some(Verified { header, payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7515 Appendix A.2: the RS256 example's key, input and (deterministic) signature.
    mod rfc7515_a2 {
        pub(super) const N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
        pub(super) const D: &str = "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ";
        pub(super) const P: &str = "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc";
        pub(super) const Q: &str = "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc";
        pub(super) const DP: &str = "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0";
        pub(super) const DQ: &str = "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU";
        pub(super) const QI: &str = "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U";
        pub(super) const COMPACT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
    }

    /// RFC 7515 Appendix A.3: the ES256 example's public key and JWS.
    const A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    const A3_COMPACT: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

    fn a2_signer() -> Signer {
        use rfc7515_a2::*;
        let b = |s: &str| URL_SAFE_NO_PAD.decode(s).unwrap();
        let components = ring::rsa::KeyPairComponents {
            public_key: RsaPublicKeyComponents {
                n: b(N),
                e: b("AQAB"),
            },
            d: b(D),
            p: b(P),
            q: b(Q),
            dP: b(DP),
            dQ: b(DQ),
            qInv: b(QI),
        };
        Signer {
            kid: "a2".into(),
            key: Key::Rsa(RsaKeyPair::from_components(&components).unwrap()),
        }
    }

    #[test]
    fn rs256_signs_rfc_7515_a2_byte_for_byte() {
        let signer = a2_signer();
        let (input, expected) = rfc7515_a2::COMPACT.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.encode(signer.sign(input.as_bytes()).unwrap());
        assert_eq!(signature, expected);
        let jwk = signer.public_jwk();
        assert_eq!(
            (jwk["n"].as_str(), jwk["e"].as_str()),
            (Some(rfc7515_a2::N), Some("AQAB"))
        );
        let published = json!({"kty": "RSA", "n": rfc7515_a2::N, "e": "AQAB"});
        let verified = verify(rfc7515_a2::COMPACT, &[published]).expect("verifies");
        assert!(String::from_utf8(verified.payload)
            .unwrap()
            .contains("\"iss\":\"joe\""));
    }

    #[test]
    fn es256_verifies_rfc_7515_a3_and_refuses_tampering() {
        let keys = [json!({"kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y})];
        assert!(verify(A3_COMPACT, &keys).is_some());
        let tampered = A3_COMPACT.replace(".eyJpc3MiOiJqb2Ui", ".eyJpc3MiOiJqb2Uj");
        assert!(verify(&tampered, &keys).is_none());
        let as_rs256 = A3_COMPACT.replacen("eyJhbGciOiJFUzI1NiJ9", "eyJhbGciOiJSUzI1NiJ9", 1);
        assert!(verify(&as_rs256, &keys).is_none(), "alg must fit the key");
    }

    #[test]
    fn generated_keys_sign_jwts_that_their_jwks_verify() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .unwrap();
        let ec = Signer::from_pkcs8(Alg::ES256, "ec-1", pkcs8.as_ref()).unwrap();
        let rsa = a2_signer();
        let jwks = [ec.public_jwk(), rsa.public_jwk()];
        for signer in [&ec, &rsa] {
            let jwt = signer.sign_jwt("at+jwt", &json!({"sub": "alice"})).unwrap();
            let v = verify(&jwt, &jwks).expect("verifies");
            assert_eq!(
                (v.header["typ"].as_str(), v.header["kid"].as_str()),
                (Some("at+jwt"), Some(signer.kid.as_str()))
            );
            assert!(
                verify(&jwt, &jwks[..0]).is_none(),
                "no key, no verification"
            );
        }
        let unsigned = format!("{}.e30.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#));
        assert!(verify(&unsigned, &jwks).is_none(), "alg none is refused");
        let jwt = ec.sign_jwt("at+jwt", &json!({})).unwrap();
        let mut enc = ec.public_jwk();
        enc["use"] = json!("enc");
        assert!(
            verify(&jwt, &[enc]).is_none(),
            "a key not meant for signatures"
        );
        let (_, rest) = jwt.split_once('.').unwrap();
        let crit = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256","kid":"ec-1","crit":["x"]}"#);
        let signing_input = format!("{crit}.{}", rest.split('.').next().unwrap());
        let signature = URL_SAFE_NO_PAD.encode(ec.sign(signing_input.as_bytes()).unwrap());
        let with_crit = format!("{signing_input}.{signature}");
        assert!(verify(&with_crit, &jwks).is_none(), "crit is refused");
        assert!(Signer::from_pkcs8(Alg::RS256, "x", pkcs8.as_ref()).is_err());
    }
}
