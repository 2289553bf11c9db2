//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) through the authorize
//! function's real handler: a valid ID token hint ends the session at once and sends the
//! browser to a registered post-logout URI with its `state`; without a hint the user confirms
//! (CSRF); an unregistered URI or a foreign hint is an error page, never a redirect.

use oauth_core::service::admin::Registered;
use oauth_core::AppState;
use oauth_tests::browser::*;
use oauth_tests::call::post;
use oauth_tests::fixtures::*;
use oauth_tests::signing::with_keys;
use oauth_tests::*;

const BYE: &str = "https://app.example/bye";

async fn world() -> (AppState, Registered) {
    let mut state = with_keys(memory_state()).await;
    state.settings.issuer = Some(ISSUER.into());
    let app = web_app(&state, |s| {
        s.scope = Some("openid read".into());
        s.policy.post_logout_redirect_uris = vec![BYE.into()];
        s.policy.first_party = true;
    })
    .await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    (state, app)
}

/// A browser signed in at the authorization endpoint, and an ID token for alice.
async fn signed_in(state: &AppState, app: &Registered) -> (Browser, String, String) {
    let url = authorize_url(&app.client.client_id, "&scope=openid");
    let mut b = Browser::default();
    let login = b.get(state, &url).await;
    log_in(&mut b, state, &url, &login, "correct+horse").await;
    let back = b.get(state, &url).await;
    assert_eq!(back.status, 302, "signed in: {}", back.body);
    let code = params_of(back.location(), '?')["code"].clone();
    let tokens = post(state, Some(creds(app)), &code_body(&code)).await;
    (b, url, tokens.field("id_token"))
}

#[tokio::test]
async fn a_hinted_logout_ends_the_session_and_returns_to_the_registered_uri() {
    let (state, app) = world().await;
    let (mut b, url, id_token) = signed_in(&state, &app).await;
    let out = b
        .get(
            &state,
            &format!("/oauth2/logout?id_token_hint={id_token}&post_logout_redirect_uri={BYE}&state=s%201"),
        )
        .await;
    assert_eq!(out.status, 302, "{}", out.body);
    assert_eq!(out.location(), format!("{BYE}?state=s+1"));
    assert!(
        out.set_cookies()
            .iter()
            .any(|c| c.contains("oauth-session-default=;") && c.contains("Max-Age=0")),
        "the cookie is cleared: {:?}",
        out.set_cookies()
    );
    // Even a browser that kept its cookie is signed out: the session itself is gone.
    let again = b.get(&state, &url).await;
    assert!(again.body.contains("Sign in"), "the session ended");
}

#[tokio::test]
async fn without_a_hint_the_user_confirms_and_no_site_can_sign_them_out() {
    let (state, app) = world().await;
    let (mut b, url, _) = signed_in(&state, &app).await;
    let ask = b.get(&state, "/oauth2/logout").await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("Sign out?"), "{}", ask.body);
    assert_protected_html(&ask);
    let still = b.get(&state, &url).await;
    assert_eq!(still.status, 302, "asking ends nothing");
    let forged = b
        .post(&state, "/oauth2/logout", "step=logout&csrf=forged")
        .await;
    assert!(
        forged.body.contains("Sign out?"),
        "a forged form ends nothing"
    );
    assert_eq!(b.get(&state, &url).await.status, 302);
    let csrf = ask.field("csrf").unwrap().to_owned();
    let done = b
        .post(
            &state,
            "/oauth2/logout",
            &format!("step=logout&csrf={csrf}"),
        )
        .await;
    assert!(done.body.contains("You are signed out"), "{}", done.body);
    assert!(b.get(&state, &url).await.body.contains("Sign in"));
}

#[tokio::test]
async fn unregistered_uris_and_foreign_hints_are_error_pages() {
    let (state, app) = world().await;
    let (mut b, url, id_token) = signed_in(&state, &app).await;
    let id = &app.client.client_id;
    for (query, why) in [
        (
            format!("id_token_hint={id_token}&post_logout_redirect_uri=https://evil.example/"),
            "unregistered",
        ),
        (
            format!("client_id={id}&post_logout_redirect_uri={BYE}x"),
            "a prefix is no match",
        ),
        (format!("post_logout_redirect_uri={BYE}"), "no client named"),
        (
            format!("id_token_hint={id_token}&client_id=someone-else"),
            "hint and client disagree",
        ),
        ("id_token_hint=e30.e30.e30".to_owned(), "not our ID token"),
    ] {
        let r = b.get(&state, &format!("/oauth2/logout?{query}")).await;
        assert_eq!(r.status, 400, "{why}: {}", r.body);
        assert!(r.header("location").is_none(), "{why}: never a redirect");
    }
    assert_eq!(
        b.get(&state, &url).await.status,
        302,
        "nothing above signed out"
    );
}

/// Someone's own ID token, sent to another user's browser, signs nobody out unasked (§2);
/// the confirmation page's CSP lets its form lead back to the client.
#[tokio::test]
async fn another_users_hint_asks_first() {
    let (state, app) = world().await;
    add_user(&state.store, "default", "mallory", "mallory horse").await;
    // Mallory's own ID token.
    let url = authorize_url(&app.client.client_id, "&scope=openid");
    let mut m = Browser::default();
    let login = m.get(&state, &url).await;
    let tokens = login.form_tokens();
    let form = format!("step=login&{tokens}&username=mallory&password=mallory+horse");
    m.post(&state, &url, &form).await;
    let back = m.get(&state, &url).await;
    let code = params_of(back.location(), '?')["code"].clone();
    let hers = post(&state, Some(creds(&app)), &code_body(&code))
        .await
        .field("id_token");
    // Alice, signed in, is sent to the logout endpoint with it.
    let (mut alice, alice_url, _) = signed_in(&state, &app).await;
    let lured = alice
        .get(
            &state,
            &format!("/oauth2/logout?id_token_hint={hers}&post_logout_redirect_uri={BYE}"),
        )
        .await;
    assert_eq!(lured.status, 200, "asked, not signed out: {}", lured.body);
    assert!(lured.body.contains("Sign out?"));
    let csp = lured.header("content-security-policy").unwrap();
    assert!(
        csp.contains("form-action 'self' https://app.example"),
        "{csp}"
    );
    assert_eq!(
        alice.get(&state, &alice_url).await.status,
        302,
        "still signed in"
    );
}
