//! JWT access tokens (RFC 9068), resource indicators (RFC 8707) and the ID token of the code
//! flow (OpenID Connect Core §3.1.3), checked as a relying party would: with the published
//! JWKS alone, through the token function's real handler.

use oauth_core::jose::Alg;
use oauth_core::protocol::client::{ClientPolicy, TokenFormat};
use oauth_core::protocol::jwt::half_hash;
use oauth_core::protocol::scope::Scopes;
use oauth_core::service::admin::{self, ClientSpec, Registered};
use oauth_core::AppState;
use oauth_tests::call::{authorizer_event, post, post_to};
use oauth_tests::fixtures::*;
use oauth_tests::signing::{published, verified, with_keys};
use oauth_tests::*;

/// The issuer of the default workspace for requests without a Host (`base_url`).
const ISSUER: &str = "https://localhost";
const BILLING: &str = "https://billing.example";

fn jwt_spec(grants: &[&str]) -> ClientSpec {
    ClientSpec {
        policy: ClientPolicy {
            access_token_format: TokenFormat::Jwt,
            introspect: true,
            resources: vec![BILLING.into()],
            ..Default::default()
        },
        ..spec(grants)
    }
}

async fn setup(grants: &[&str]) -> (AppState, Registered) {
    let state = with_keys(memory_state()).await;
    let r = register(&state.store, jwt_spec(grants)).await;
    (state, r)
}

async fn introspect(state: &AppState, r: &Registered, token: &str) -> serde_json::Value {
    let body = format!("token={token}");
    post_to(state, "/oauth2/introspect", Some(creds(r)), &body)
        .await
        .json
}

#[tokio::test]
async fn client_credentials_get_an_rfc_9068_jwt_that_is_not_stored() {
    let (state, r) = setup(&["client_credentials"]).await;
    let tokens = state.store.tokens.clone();
    let reply = post(
        &state,
        Some(creds(&r)),
        "grant_type=client_credentials&scope=read",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    let token = reply.field("access_token");
    let (header, claims) = verified(&token, &published(&state).await);
    assert_eq!(
        (header["typ"].as_str(), header["alg"].as_str()),
        (Some("at+jwt"), Some("RS256"))
    );
    let id = r.client.client_id.as_str();
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(
        claims["sub"], id,
        "RFC 9068 §2.2: the client is the subject"
    );
    assert_eq!(claims["client_id"], id);
    assert_eq!(claims["aud"], id, "no resource: the client's own id");
    assert_eq!(claims["scope"], "read");
    assert!(claims["jti"].is_string());
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert_eq!(exp - iat, reply.json["expires_in"].as_u64().unwrap());
    // Nothing was written for it: its jti names no record.
    let jti = claims["jti"].as_str().unwrap();
    assert!(tokens.token("default", jti).await.unwrap().is_none());
    // Introspection reads it as active, with its audience.
    let seen = introspect(&state, &r, &token).await;
    assert_eq!(
        (seen["active"].as_bool(), seen["client_id"].as_str()),
        (Some(true), Some(id))
    );
    // A tampered payload is not ours.
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged_claims = claims.to_string().replace("\"read\"", "\"read write\"");
    let forged = base64_url(&forged_claims);
    parts[1] = &forged;
    assert_eq!(
        introspect(&state, &r, &parts.join(".")).await["active"],
        false
    );
}

fn base64_url(s: &str) -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn a_resource_becomes_the_audience_and_an_unregistered_one_is_invalid_target() {
    let (state, r) = setup(&["client_credentials"]).await;
    let ok = post(
        &state,
        Some(creds(&r)),
        &format!("grant_type=client_credentials&resource={BILLING}"),
    )
    .await;
    let (_, claims) = verified(&ok.field("access_token"), &published(&state).await);
    assert_eq!(claims["aud"], BILLING);
    for bad in [
        "https://evil.example",
        "relative/path",
        "https://billing.example#frag",
    ] {
        let r = post(
            &state,
            Some(creds(&r)),
            &format!("grant_type=client_credentials&resource={bad}"),
        )
        .await;
        assert_eq!((r.status, r.error()), (400, "invalid_target"), "{bad}");
    }
}

#[tokio::test]
async fn a_revoked_jwt_is_inactive_and_so_is_one_whose_client_was_ended() {
    let (state, r) = setup(&["client_credentials"]).await;
    let first = post(&state, Some(creds(&r)), "grant_type=client_credentials").await;
    let first = first.field("access_token");
    let second = post(&state, Some(creds(&r)), "grant_type=client_credentials").await;
    let second = second.field("access_token");
    let revoked = post_to(
        &state,
        "/oauth2/revoke",
        Some(creds(&r)),
        &format!("token={first}"),
    )
    .await;
    assert_eq!(revoked.status, 200);
    assert_eq!(
        introspect(&state, &r, &first).await["active"],
        false,
        "revoked"
    );
    assert_eq!(
        introspect(&state, &r, &second).await["active"],
        true,
        "only that one"
    );
    admin::revoke_client_tokens(&*state.store.clients, "default", &r.client.client_id)
        .await
        .unwrap();
    assert_eq!(
        introspect(&state, &r, &second).await["active"],
        false,
        "the client's tokens were ended"
    );
}

#[tokio::test]
async fn a_users_jwt_ends_with_its_family_and_its_jti_is_no_token() {
    let (state, r) = setup(&["password", "refresh_token"]).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let login = "grant_type=password&username=alice&password=correct+horse&scope=read";
    let pair = post(&state, Some(creds(&r)), login).await;
    assert_eq!(pair.status, 200, "{}", pair.json);
    let access = pair.field("access_token");
    let (_, claims) = verified(&access, &published(&state).await);
    assert_eq!(claims["username"], "alice");
    assert_ne!(claims["sub"], r.client.client_id.as_str());
    assert!(claims.get("client_generation").is_none());
    let jti = claims["jti"].as_str().unwrap();
    assert_eq!(introspect(&state, &r, &access).await["active"], true);
    assert_eq!(
        introspect(&state, &r, jti).await["active"],
        false,
        "the jti alone is not a token"
    );
    let refresh = pair.field("refresh_token");
    assert_eq!(refresh.split('.').count(), 4, "refresh tokens stay opaque");
    post_to(
        &state,
        "/oauth2/revoke",
        Some(creds(&r)),
        &format!("token={refresh}"),
    )
    .await;
    assert_eq!(
        introspect(&state, &r, &access).await["active"],
        false,
        "with its family"
    );
}

#[tokio::test]
async fn the_authorizer_accepts_a_jwt_on_its_signature_and_refuses_a_forged_one() {
    let (state, r) = setup(&["client_credentials"]).await;
    let token = post(
        &state,
        Some(creds(&r)),
        "grant_type=client_credentials&scope=read",
    )
    .await
    .field("access_token");
    let judge = |t: String| {
        let state = state.clone();
        async move {
            let event = authorizer_event(Some(&format!("Bearer {t}")));
            oauth_core::http::authorizer::authorize(&state, "default", &event)
                .await
                .unwrap()
        }
    };
    let allowed = judge(token.clone()).await;
    assert!(allowed.is_authorized);
    assert_eq!(allowed.context.scope, "read");
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert!(!judge(forged).await.is_authorized, "a bad signature");
    // Another deployment's token: signed under a kid we never published.
    let other = with_keys(memory_state()).await;
    let theirs = register(&other.store, jwt_spec(&["client_credentials"])).await;
    let foreign = post(
        &other,
        Some(creds(&theirs)),
        "grant_type=client_credentials",
    )
    .await
    .field("access_token");
    assert!(!judge(foreign).await.is_authorized, "not our key");
}

#[tokio::test]
async fn the_code_flow_with_openid_gets_an_id_token_a_relying_party_accepts() {
    for alg in [None, Some(Alg::ES256)] {
        let state = with_keys(memory_state()).await;
        let mut s = spec(&["authorization_code", "refresh_token"]);
        s.scope = Some("openid read".into());
        s.policy.id_token_alg = alg;
        let r = register(&state.store, s).await;
        let mut grant = code_for(&r, &alice());
        grant.scope = Scopes::parse("openid read").unwrap();
        grant.nonce = Some("n-0S6_WzA2Mj".into());
        grant.auth_time = now() - 30;
        let code = store_code(&state.store, &grant).await;
        let reply = post(&state, Some(creds(&r)), &code_body(&code)).await;
        assert_eq!(reply.status, 200, "{}", reply.json);
        let id_token = reply.field("id_token");
        let (header, claims) = verified(&id_token, &published(&state).await);
        let want = alg.unwrap_or(Alg::RS256).as_str();
        assert_eq!(header["alg"], want, "id_token_signed_response_alg");
        assert_eq!(claims["iss"], ISSUER);
        assert_eq!(claims["aud"], r.client.client_id.as_str());
        assert_eq!(claims["sub"], alice().sub.as_str());
        assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
        assert_eq!(claims["auth_time"], grant.auth_time);
        assert_eq!(claims["at_hash"], half_hash(&reply.field("access_token")));
        assert!(claims["exp"].as_u64().unwrap() > now());
        // Without openid, no ID token.
        let plain = store_code(&state.store, &code_for(&r, &alice())).await;
        let reply = post(&state, Some(creds(&r)), &code_body(&plain)).await;
        assert!(reply.json.get("id_token").is_none(), "{}", reply.json);
    }
}

#[tokio::test]
async fn a_jwt_client_without_signing_keys_is_a_server_error_and_nothing_is_stored() {
    let (state, store) = memory();
    let r = register(&state.store, jwt_spec(&["client_credentials"])).await;
    let before = store.item_count();
    let reply = post(&state, Some(creds(&r)), "grant_type=client_credentials").await;
    assert_eq!(reply.status, 500, "{}", reply.json);
    assert!(
        !reply.json.to_string().contains("SIGNING_KMS_KEY_ID"),
        "no detail leaked"
    );
    assert_eq!(store.item_count(), before);
}
