//! Seed quirks stay on their seed's paths: seed 000's `"refresh_token": null`, its error DTOs
//! and its `{url, status}` redirect bodies on `/api/v1/oauth/...` only (and its JSON errors at
//! the authorization endpoint for a client that asks for JSON); seed 001's
//! `/{workspace}/oauth/2/token`.

use oauth_tests::browser::*;
use oauth_tests::call::{post, post_to};
use oauth_tests::fixtures::*;
use oauth_tests::*;
use serde_json::json;

const SEED_000_TOKEN: &str = "/api/v1/oauth/token";

#[tokio::test]
async fn seed_000_token_answers_carry_its_fields_and_only_there() {
    let state = memory_state();
    let r = register(&state.store, spec(&["client_credentials"])).await;
    let cc = "grant_type=client_credentials";
    let seed = post_to(&state, SEED_000_TOKEN, Some(creds(&r)), cc).await;
    assert_eq!(seed.status, 200, "{}", seed.json);
    assert_eq!(seed.json.get("refresh_token"), Some(&json!(null)));
    let standard = post(&state, Some(creds(&r)), cc).await;
    assert_eq!(standard.json.get("refresh_token"), None);

    let wrong = (r.client.client_id.as_str(), "wrong");
    let seed = post_to(&state, SEED_000_TOKEN, Some(wrong), cc).await;
    assert_eq!(seed.status, 401);
    assert_eq!(seed.json["statusCode"], 401);
    assert_eq!(seed.json["error"], "invalid_client");
    assert_eq!(seed.json["message"][0], seed.json["error_description"]);
    let standard = post(&state, Some(wrong), cc).await;
    assert_eq!(standard.json.get("statusCode"), None);
    assert_eq!(standard.json.get("message"), None);
}

#[tokio::test]
async fn seed_001s_client_credentials_path_is_the_token_endpoint() {
    let state = memory_state();
    let mut s = spec(&["client_credentials"]);
    s.workspace = "acme".into();
    let r = register(&state.store, s).await;
    let reply = post_to(
        &state,
        "/acme/oauth/2/token",
        Some(creds(&r)),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
}

#[tokio::test]
async fn seed_000_authorization_errors_and_redirects_are_json() {
    let state = authorization_state();
    let app = web_app(&state, |_| {}).await;
    let unknown = "/api/v1/oauth/authorize?response_type=code&client_id=nobody&state=s";
    let p = Browser::default().get(&state, unknown).await;
    assert_eq!(p.status, 400);
    assert_eq!(p.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(body["statusCode"], 400);
    assert!(body["message"][0].is_string() && body["error"].is_string());

    // A redirected error, then the whole flow: each redirect carries `{url, status}`.
    let id = &app.client.client_id;
    let bad = format!("/api/v1/oauth/authorize?response_type=code&client_id={id}&state=s&scope=nope&code_challenge={CHALLENGE}&code_challenge_method=S256");
    let p = Browser::default().get(&state, &bad).await;
    let body: serde_json::Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(
        (p.status, &body),
        (302, &json!({"url": p.location(), "status": 302}))
    );

    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(id, "").replace("/oauth2/authorize", "/api/v1/oauth/authorize");
    let mut b = Browser::default();
    let login_page = b.get(&state, &url).await;
    assert_eq!(
        login_page.status, 200,
        "a browser still gets the login page"
    );
    let consent_page = log_in(&mut b, &state, &url, &login_page, "correct horse").await;
    let consent_page = b.get(&state, consent_page.location()).await;
    let done = consent(&mut b, &state, &url, &consent_page, "allow").await;
    let body: serde_json::Value = serde_json::from_str(&done.body).unwrap();
    assert_eq!(
        (done.status, &body),
        (303, &json!({"url": done.location(), "status": 303}))
    );
    assert!(done.location().starts_with(CB) && done.location().contains("code="));
}

#[tokio::test]
async fn a_client_that_asks_for_json_gets_json_errors_on_any_path() {
    let state = authorization_state();
    let unknown = "/oauth2/authorize?response_type=code&client_id=nobody&state=s";
    let mut api = Browser {
        accept: Some("application/json, text/plain, */*".into()),
        ..Default::default()
    };
    let p = api.get(&state, unknown).await;
    assert_eq!(
        (p.status, p.header("content-type")),
        (400, Some("application/json"))
    );
    let mut browser = Browser {
        accept: Some("text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8".into()),
        ..Default::default()
    };
    let p = browser.get(&state, unknown).await;
    assert!(p.header("content-type").unwrap().starts_with("text/html"));
}
