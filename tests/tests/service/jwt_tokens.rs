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
    assert_eq!(
        claims["aud"], ISSUER,
        "no resource: the issuer, never the client's id"
    );
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
    // Another deployment's token: its own RSA key, under a kid we never published.
    let other = oauth_tests::signing::with_fresh_keys(memory_state()).await;
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
async fn a_jwt_counts_only_in_the_workspace_whose_issuer_it_names() {
    let (state, r) = setup(&["client_credentials"]).await;
    let token = post(&state, Some(creds(&r)), "grant_type=client_credentials")
        .await
        .field("access_token");
    let acme = register(
        &state.store,
        ClientSpec {
            workspace: "acme".into(),
            ..jwt_spec(&["client_credentials"])
        },
    )
    .await;
    let seen = post_to(
        &state,
        "/acme/oauth2/introspect",
        Some(creds(&acme)),
        &format!("token={token}"),
    )
    .await;
    assert_eq!(seen.json["active"], false, "{}", seen.json);
    let event = authorizer_event(Some(&format!("Bearer {token}")));
    let verdict = oauth_core::http::authorizer::authorize(&state, "acme", &event)
        .await
        .unwrap();
    assert!(
        !verdict.is_authorized,
        "another workspace's authorizer refuses it"
    );
    // An ID token is not an access token, anywhere.
    let mut s = spec(&["authorization_code"]);
    s.scope = Some("openid".into());
    let rp = register(&state.store, s).await;
    let mut grant = code_for(&rp, &alice());
    grant.scope = Scopes::parse("openid").unwrap();
    let code = store_code(&state.store, &grant).await;
    let id_token = post(&state, Some(creds(&rp)), &code_body(&code))
        .await
        .field("id_token");
    let event = authorizer_event(Some(&format!("Bearer {id_token}")));
    let verdict = oauth_core::http::authorizer::authorize(&state, "default", &event)
        .await
        .unwrap();
    assert!(!verdict.is_authorized, "typ JWT is not at+jwt");
    assert_eq!(introspect(&state, &r, &id_token).await["active"], false);
}

#[tokio::test]
async fn the_authorizer_takes_only_tokens_for_its_audience() {
    let (mut state, r) = setup(&["client_credentials"]).await;
    state.settings.authorizer_audience = Some(BILLING.into());
    let judge = |body: &'static str| {
        let state = state.clone();
        let r = r.clone();
        async move {
            let t = post(&state, Some(creds(&r)), body)
                .await
                .field("access_token");
            let event = authorizer_event(Some(&format!("Bearer {t}")));
            oauth_core::http::authorizer::authorize(&state, "default", &event)
                .await
                .unwrap()
        }
    };
    let for_billing =
        judge("grant_type=client_credentials&resource=https%3A%2F%2Fbilling.example").await;
    assert!(for_billing.is_authorized);
    assert_eq!(for_billing.context.aud, BILLING);
    assert!(
        !judge("grant_type=client_credentials").await.is_authorized,
        "not for this resource"
    );
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

/// The whole code flow through the real pages: `nonce`, the sign-in time and `resource`
/// travel from the authorization request into the code and out in the tokens; `max_age`
/// makes an older sign-in sign in again, once (no loop), and openid is issued only when asked.
#[tokio::test]
async fn nonce_auth_time_and_resource_travel_from_the_authorization_request() {
    use oauth_tests::browser::*;
    let (state, clock) = memory_state_with_clock();
    let mut state = with_keys(state).await;
    state.settings.issuer = Some(ISSUER_PAGES.into());
    let app = web_app(&state, |s| {
        s.scope = Some("openid read".into());
        s.policy.access_token_format = TokenFormat::Jwt;
        s.policy.resources = vec![BILLING.into()];
        s.policy.first_party = true;
    })
    .await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let id = app.client.client_id.clone();
    let url = authorize_url(
        &id,
        "&scope=openid+read&nonce=n-42&resource=https%3A%2F%2Fbilling.example",
    );
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    let signed_in_at = state.now();
    let after = log_in(&mut b, &state, &url, &login, "correct+horse").await;
    assert_eq!(after.status, 303);
    let back = b.get(&state, after.location()).await;
    assert_eq!(back.status, 302, "first-party: straight back with the code");
    let code = params_of(back.location(), '?')["code"].clone();
    let reply = post(&state, Some(creds(&app)), &code_body(&code)).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    let jwks = published(&state).await;
    let (_, id_claims) = verified(&reply.field("id_token"), &jwks);
    assert_eq!(id_claims["nonce"], "n-42");
    assert_eq!(id_claims["auth_time"], signed_in_at);
    assert_eq!(id_claims["iss"], ISSUER_PAGES);
    let (_, at_claims) = verified(&reply.field("access_token"), &jwks);
    assert_eq!(at_claims["aud"], BILLING);
    assert_eq!(at_claims["scope"], "openid read");

    // max_age: a sign-in 100 s old does not do for max_age=60; a new one does, at once.
    clock.advance(100);
    let strict = format!("{url}&max_age=60");
    let page = b.get(&state, &strict).await;
    assert!(
        page.body.contains("Sign in"),
        "an older sign-in signs in again"
    );
    let again = log_in(&mut b, &state, &strict, &page, "correct+horse").await;
    clock.advance(2);
    let done = b.get(&state, again.location()).await;
    assert_eq!(
        done.status, 302,
        "no loop back to the login page: {}",
        done.body
    );
    assert!(done.location().contains("code="));

    // No openid in the request (the client's default scopes include it): no ID token.
    let plain = authorize_url(&id, "");
    let back = b.get(&state, &plain).await;
    let code = params_of(back.location(), '?')["code"].clone();
    let reply = post(&state, Some(creds(&app)), &code_body(&code)).await;
    assert!(reply.json.get("id_token").is_none(), "{}", reply.json);
    assert_eq!(reply.json["scope"], "read");
}

const ISSUER_PAGES: &str = "https://auth.example";
