//! API Gateway's JWT authorizer, played by its documented rules against our JWTs (HTTP APIs,
//! "Controlling access to HTTP APIs with JWT authorizers"): the token's `kid` must name a key
//! of the issuer's JWKS; only RSA algorithms; `iss` must be the configured issuer; `aud` or
//! `client_id` one of the configured audiences; `exp` after now; `nbf` and `iat`, when
//! present, before now; `scope` (or `scp`) must hold one of the route's scopes. The signature
//! is checked with ring's RSA directly, not through our `jose` module.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use oauth_core::jose::Alg;
use oauth_core::protocol::client::TokenFormat;
use oauth_core::protocol::scope::Scopes;
use oauth_tests::call::post;
use oauth_tests::fixtures::*;
use oauth_tests::signing::{published, with_keys};
use oauth_tests::*;
use serde_json::Value;

const ISSUER: &str = "https://localhost";
const API: &str = "https://api.example";

/// The gateway's verdict: `Ok` (the route runs) or why it answers 401/403.
fn gateway(
    token: &str,
    jwks: &[Value],
    audiences: &[&str],
    scopes: &[&str],
    now: u64,
) -> Result<(), &'static str> {
    let parts: Vec<&str> = token.split('.').collect();
    let [h, p, s] = parts[..] else {
        return Err("not a JWT");
    };
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).map_err(|_| "header")?)
        .map_err(|_| "header")?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).map_err(|_| "payload")?)
        .map_err(|_| "payload")?;
    let alg = header["alg"].as_str().ok_or("no alg")?;
    if !alg.starts_with("RS") {
        return Err("only RSA algorithms");
    }
    let key = jwks
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .ok_or("kid not in the JWKS")?;
    let b = |name: &str| {
        URL_SAFE_NO_PAD
            .decode(key[name].as_str().unwrap_or(""))
            .unwrap_or_default()
    };
    let public = ring::signature::RsaPublicKeyComponents {
        n: b("n"),
        e: b("e"),
    };
    let signature = URL_SAFE_NO_PAD.decode(s).map_err(|_| "signature")?;
    public
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            format!("{h}.{p}").as_bytes(),
            &signature,
        )
        .map_err(|_| "bad signature")?;
    if claims["iss"] != ISSUER {
        return Err("iss");
    }
    let auds: Vec<&str> = match &claims["aud"] {
        Value::String(a) => vec![a.as_str()],
        Value::Array(v) => v.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let client_id = claims["client_id"].as_str();
    if !audiences
        .iter()
        .any(|a| auds.contains(a) || client_id == Some(*a))
    {
        return Err("aud or client_id");
    }
    if claims["exp"].as_u64().is_none_or(|e| e <= now) {
        return Err("exp");
    }
    for early in ["nbf", "iat"] {
        if claims[early].as_u64().is_some_and(|t| t > now) {
            return Err("nbf or iat in the future");
        }
    }
    let held = claims["scope"]
        .as_str()
        .or(claims["scp"].as_str())
        .unwrap_or("");
    if !scopes.iter().any(|s| held.split(' ').any(|h| h == *s)) {
        return Err("scope (403)");
    }
    Ok(())
}

#[tokio::test]
async fn api_gateways_jwt_authorizer_accepts_our_access_jwts_and_nothing_else() {
    let state = with_keys(memory_state()).await;
    let mut s = spec(&["client_credentials", "authorization_code"]);
    s.scope = Some("openid read write".into());
    s.policy.access_token_format = TokenFormat::Jwt;
    s.policy.resources = vec![API.into()];
    s.policy.id_token_alg = Some(Alg::ES256);
    let r = register(&state.store, s).await;
    let jwks = published(&state).await;
    let now = now();
    let token = |body: String| {
        let state = state.clone();
        let r = r.clone();
        async move {
            post(&state, Some(creds(&r)), &body)
                .await
                .field("access_token")
        }
    };
    let for_api = token(format!(
        "grant_type=client_credentials&scope=read&resource={API}"
    ))
    .await;
    assert_eq!(gateway(&for_api, &jwks, &[API], &["read"], now), Ok(()));
    assert_eq!(
        gateway(&for_api, &jwks, &[API], &["write"], now),
        Err("scope (403)")
    );
    assert_eq!(
        gateway(&for_api, &jwks, &["https://other.example"], &["read"], now),
        Err("aud or client_id")
    );
    assert_eq!(
        gateway(&for_api, &jwks, &[API], &["read"], now + 3601),
        Err("exp")
    );
    assert_eq!(
        gateway(&for_api, &[], &[API], &["read"], now),
        Err("kid not in the JWKS")
    );
    // No resource: aud is the issuer, which the template's default audience names.
    let plain = token("grant_type=client_credentials&scope=read".into()).await;
    assert_eq!(gateway(&plain, &jwks, &[ISSUER], &["read"], now), Ok(()));
    // An ID token is refused: ES256 here; and an RS256 one names the client, not a resource.
    let mut grant = code_for(&r, &alice());
    grant.scope = Scopes::parse("openid read").unwrap();
    let code = store_code(&state.store, &grant).await;
    let id_token = post(&state, Some(creds(&r)), &code_body(&code))
        .await
        .field("id_token");
    assert_eq!(
        gateway(&id_token, &jwks, &[ISSUER, API], &["read"], now),
        Err("only RSA algorithms")
    );
    let mut s = spec(&["authorization_code"]);
    s.scope = Some("openid read".into());
    let rs256 = register(&state.store, s).await;
    let mut grant = code_for(&rs256, &alice());
    grant.scope = Scopes::parse("openid read").unwrap();
    let code = store_code(&state.store, &grant).await;
    let id_token = post(&state, Some(creds(&rs256)), &code_body(&code))
        .await
        .field("id_token");
    assert_eq!(
        gateway(&id_token, &jwks, &[ISSUER, API], &["read"], now),
        Err("aud or client_id"),
        "an RS256 ID token names the client, never a resource or the issuer"
    );
}
