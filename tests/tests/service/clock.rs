//! Time-bound rules, tested by moving a clock instead of sleeping: code and access token
//! expiry, the end of a lockout, the end of the refresh grace window, session expiry.

use oauth_core::protocol::client::ClientPolicy;
use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::service::admin::ClientSpec;
use oauth_tests::browser::*;
use oauth_tests::call::{post, post_to};
use oauth_tests::fixtures::*;
use oauth_tests::*;

#[tokio::test]
async fn a_code_is_refused_once_its_time_is_over() {
    let (state, clock) = memory_state_with_clock();
    let r = register(&state.store, spec(&["authorization_code"])).await;
    let expires_at = state.now() + 60;
    let code = |r| CodeGrant {
        expires_at,
        ..code_for(r, &alice())
    };
    let late = store_code(&state.store, &code(&r)).await;
    let in_time = store_code(&state.store, &code(&r)).await;
    clock.advance(59);
    let ok = post(&state, Some(creds(&r)), &code_body(&in_time)).await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    clock.advance(1);
    let refused = post(&state, Some(creds(&r)), &code_body(&late)).await;
    assert_eq!((refused.status, refused.error()), (400, "invalid_grant"));
}

#[tokio::test]
async fn an_access_token_is_inactive_once_expired() {
    let (state, clock) = memory_state_with_clock();
    let r = register(
        &state.store,
        ClientSpec {
            policy: ClientPolicy {
                introspect: true,
                access_token_ttl: Some(120),
                ..Default::default()
            },
            ..spec(&["client_credentials"])
        },
    )
    .await;
    let token = post(&state, Some(creds(&r)), "grant_type=client_credentials").await;
    let body = format!("token={}", token.field("access_token"));
    let introspect = || post_to(&state, "/oauth2/introspect", Some(creds(&r)), &body);
    clock.advance(119);
    assert_eq!(introspect().await.json["active"], true);
    clock.advance(1);
    assert_eq!(introspect().await.json["active"], false);
}

#[tokio::test]
async fn a_lockout_ends_after_lockout_seconds() {
    let (mut state, clock) = memory_state_with_clock();
    state.settings.lockout_threshold = 2;
    let r = register(&state.store, spec(&["password"])).await;
    add_user(&state.store, "default", "bob", "correct horse").await;
    let login = |pw: &str| format!("grant_type=password&username=bob&password={pw}");
    for _ in 0..2 {
        post(&state, Some(creds(&r)), &login("wrong")).await;
    }
    let locked = post(&state, Some(creds(&r)), &login("correct+horse")).await;
    assert_eq!(locked.error(), "invalid_grant", "locked");
    clock.advance(state.settings.lockout_seconds - 1);
    let still = post(&state, Some(creds(&r)), &login("correct+horse")).await;
    assert_eq!(still.error(), "invalid_grant", "still locked");
    clock.advance(1);
    let open = post(&state, Some(creds(&r)), &login("correct+horse")).await;
    assert_eq!(open.status, 200, "{}", open.json);
}

#[tokio::test]
async fn the_refresh_grace_window_closes_on_time() {
    let (state, clock) = memory_state_with_clock();
    let r = register(
        &state.store,
        ClientSpec {
            policy: ClientPolicy {
                refresh_grace: 30,
                ..Default::default()
            },
            ..spec(&["authorization_code", "refresh_token"])
        },
    )
    .await;
    let code = store_code(&state.store, &code_for(&r, &alice())).await;
    let first = post(&state, Some(creds(&r)), &code_body(&code)).await;
    let body = format!(
        "grant_type=refresh_token&refresh_token={}",
        first.field("refresh_token")
    );
    assert_eq!(post(&state, Some(creds(&r)), &body).await.status, 200);
    clock.advance(30);
    let late = post(&state, Some(creds(&r)), &body).await;
    assert_eq!(
        (late.status, late.error()),
        (400, "invalid_grant"),
        "after the window a retry is reuse"
    );
}

#[tokio::test]
async fn a_session_ends_after_session_ttl() {
    let (mut state, clock) = memory_state_with_clock();
    state.settings.issuer = Some(ISSUER.into());
    let r = web_app(&state, |s| s.policy.first_party = true).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    log_in(&mut b, &state, &url, &login, "correct+horse").await;
    clock.advance(state.settings.session_ttl - 1);
    assert_eq!(b.get(&state, &url).await.status, 302, "signed in: a code");
    clock.advance(1);
    let again = b.get(&state, &url).await;
    assert!(again.body.contains("Sign in"), "the session is over");
}
