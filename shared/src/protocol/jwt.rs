//! The JWTs this server issues, as claims: access tokens (RFC 9068) and OpenID Connect ID
//! tokens (Core §2), and what an access JWT of ours must say when it comes back. No keys and
//! no I/O: `service` signs, and verifies signatures before anything here reads a claim.

use super::scope::Scopes;
use super::token_record::{TokenKind, TokenRecord};
use super::token_value::TokenName;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Map, Value};

/// RFC 9068 §2.1: the `typ` of an access JWT, which keeps it from passing for an ID token.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";
/// The `typ` of an ID token.
pub const ID_TOKEN_TYP: &str = "JWT";

/// `aud` of an access JWT: its resources, or this issuer when it has none (RFC 9068 requires
/// an audience). Never the client's id, which is an ID token's audience: API Gateway's JWT
/// authorizer does not read `typ`, and would take the one for the other.
fn audience_claim(issuer: &str, record: &TokenRecord) -> Value {
    match record.audience.as_slice() {
        [] => json!(issuer),
        [one] => json!(one),
        many => json!(many),
    }
}

/// RFC 9068 §2.2: `iss`, `sub` (the user, or the client for client credentials), `aud`,
/// `client_id`, `scope`, `jti`, `iat`, `exp`; `username` for a user's token. A token with no
/// stored record (client credentials) also carries its client's generation, which an operator's
/// `revoke-tokens` moves.
pub fn access_claims(issuer: &str, jti: &str, record: &TokenRecord) -> Value {
    let mut c = json!({
        "iss": issuer,
        "sub": record.sub.as_deref().unwrap_or(&record.client_id),
        "aud": audience_claim(issuer, record),
        "client_id": record.client_id,
        "jti": jti,
        "iat": record.issued_at,
        "exp": record.expires_at,
    });
    if !record.scope.is_empty() {
        c["scope"] = json!(record.scope.to_wire());
    }
    if let Some(u) = &record.username {
        c["username"] = json!(u);
    }
    if record.sub.is_none() {
        c["client_generation"] = json!(record.client_generation.to_string());
    }
    c
}

/// An access JWT of ours that came back, its signature verified: its `jti` (what its record is
/// stored under; see `protocol::token_value`) and the record its claims describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessJwt {
    pub jti: String,
    pub record: TokenRecord,
}

/// Reads a verified token as one of our access JWTs for `issuer` (of `workspace`): the `typ`
/// must be `at+jwt` (RFC 9068 §4), and every claim [`access_claims`] writes must be there.
/// Anything else (an ID token, another issuer's token) is `None`.
pub fn read_access(
    header: &Value,
    payload: &[u8],
    issuer: &str,
    workspace: &str,
) -> Option<AccessJwt> {
    let typ = header["typ"].as_str()?;
    if !typ.eq_ignore_ascii_case(ACCESS_TOKEN_TYP)
        && !typ.eq_ignore_ascii_case("application/at+jwt")
    {
        return None;
    }
    let c: Value = serde_json::from_slice(payload).ok()?;
    if c["iss"] != issuer {
        return None;
    }
    let jti = c["jti"].as_str()?.to_owned();
    let name = TokenName::parse(&jti)?;
    if c["client_id"] != name.client_id.as_str() {
        return None;
    }
    let audience = match &c["aud"] {
        Value::String(a) if a == issuer => vec![],
        Value::String(a) => vec![a.clone()],
        Value::Array(many) => many
            .iter()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect(),
        _ => return None,
    };
    let scope = c["scope"].as_str().unwrap_or("");
    let record = TokenRecord {
        kind: TokenKind::Access,
        workspace: workspace.to_owned(),
        client_id: name.client_id,
        username: c["username"].as_str().map(str::to_owned),
        sub: name.sub,
        scope: Scopes::from_stored(
            scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        ),
        grant_id: name.grant_id,
        issued_at: c["iat"].as_u64()?,
        expires_at: c["exp"].as_u64()?,
        rotated_at: None,
        family_expires_at: None,
        grace_used: false,
        successors: vec![],
        user_generation: 0,
        client_generation: c["client_generation"]
            .as_str()
            .and_then(|g| g.parse().ok())
            .unwrap_or(0),
        audience,
        jwt: true,
    };
    Some(AccessJwt { jti, record })
}

/// What an ID token says (OpenID Connect Core §2, §3.1.3.6, §3.2.2.10).
#[derive(Debug, Clone)]
pub struct IdToken<'a> {
    pub issuer: &'a str,
    /// Its audience: the client it is for.
    pub client_id: &'a str,
    pub sub: &'a str,
    pub auth_time: u64,
    pub nonce: Option<&'a str>,
    pub issued_at: u64,
    pub expires_at: u64,
    /// The access token issued with it: its hash becomes `at_hash`.
    pub access_token: Option<&'a str>,
    /// The user's claims the scopes allow (only where no access token can fetch them at
    /// UserInfo: `response_type=id_token`).
    pub claims: Map<String, Value>,
}

/// The ID token's claims. `aud` is the client alone, so `azp` (needed only beside other
/// audiences) is never set.
pub fn id_token_claims(t: &IdToken<'_>) -> Value {
    let mut c = json!({
        "iss": t.issuer,
        "sub": t.sub,
        "aud": t.client_id,
        "exp": t.expires_at,
        "iat": t.issued_at,
        "auth_time": t.auth_time,
    });
    if let Some(n) = t.nonce {
        c["nonce"] = json!(n);
    }
    if let Some(at) = t.access_token {
        c["at_hash"] = json!(half_hash(at));
    }
    if let Some(obj) = c.as_object_mut() {
        for (k, v) in &t.claims {
            obj.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    c
}

/// `at_hash` (Core §3.1.3.6): the left half of the SHA-256 of the token's ASCII value,
/// base64url-encoded. RS256 and ES256 both hash with SHA-256.
pub fn half_hash(value: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, value.as_bytes());
    URL_SAFE_NO_PAD.encode(&d.as_ref()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(sub: Option<&str>) -> TokenRecord {
        TokenRecord {
            kind: TokenKind::Access,
            workspace: "w".into(),
            client_id: "app".into(),
            username: sub.map(|_| "alice".into()),
            sub: sub.map(str::to_owned),
            scope: Scopes::parse("read write").unwrap(),
            grant_id: sub.map(|_| "g1".into()),
            issued_at: 100,
            expires_at: 200,
            rotated_at: None,
            family_expires_at: None,
            grace_used: false,
            successors: vec![],
            user_generation: 0,
            client_generation: 7,
            audience: vec!["https://api.example".into()],
            jwt: true,
        }
    }

    fn jti(r: &TokenRecord) -> String {
        TokenName {
            client_id: r.client_id.clone(),
            sub: r.sub.clone(),
            grant_id: r.grant_id.clone(),
        }
        .value("secret")
    }

    #[test]
    fn rfc_9068_claims_and_back() {
        let header = json!({"typ": "at+jwt", "alg": "RS256"});
        for sub in [Some("u1"), None] {
            let r = record(sub);
            let c = access_claims("https://as/w", &jti(&r), &r);
            for claim in [
                "iss",
                "sub",
                "aud",
                "client_id",
                "scope",
                "jti",
                "iat",
                "exp",
            ] {
                assert!(c.get(claim).is_some(), "{claim}");
            }
            assert_eq!(
                c["sub"],
                sub.unwrap_or("app"),
                "the client is the subject of its own token"
            );
            assert_eq!(c["aud"], "https://api.example");
            assert_eq!(c.get("client_generation").is_some(), sub.is_none());
            let payload = c.to_string();
            let back = read_access(&header, payload.as_bytes(), "https://as/w", "w").unwrap();
            let mut expected = r.clone();
            if sub.is_some() {
                expected.client_generation = 0;
            }
            assert_eq!(back.record, expected);
            assert_eq!(back.jti, jti(&r));
            assert!(read_access(&header, payload.as_bytes(), "https://other", "w").is_none());
            let id_token = json!({"typ": "JWT"});
            assert!(read_access(&id_token, payload.as_bytes(), "https://as/w", "w").is_none());
        }
        let mut no_aud = record(None);
        no_aud.audience.clear();
        let c = access_claims("i", &jti(&no_aud), &no_aud);
        assert_eq!(
            c["aud"], "i",
            "the issuer, never the client (an ID token's audience)"
        );
        let back = read_access(&header, c.to_string().as_bytes(), "i", "w").unwrap();
        assert!(back.record.audience.is_empty());
    }

    /// OpenID Connect Core 1.0 Appendix A.4: its access token and the at_hash of it.
    #[test]
    fn at_hash_as_the_spec_computes_it() {
        assert_eq!(
            half_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        let c = id_token_claims(&IdToken {
            issuer: "https://as",
            client_id: "app",
            sub: "u1",
            auth_time: 5,
            nonce: Some("n-0S6_WzA2Mj"),
            issued_at: 10,
            expires_at: 20,
            access_token: Some("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            claims: Map::from_iter([
                ("sub".to_owned(), json!("not this")),
                ("name".to_owned(), json!("Alice")),
            ]),
        });
        assert_eq!(c["aud"], "app");
        assert_eq!(c["nonce"], "n-0S6_WzA2Mj");
        assert_eq!(c["sub"], "u1", "user claims never replace the protocol's");
        assert_eq!(c["name"], "Alice");
        assert!(c.get("azp").is_none());
    }
}
