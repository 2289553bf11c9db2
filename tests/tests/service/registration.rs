//! Dynamic client registration (RFC 7591) and management (RFC 7592) on the in-memory store:
//! the initial access token gates registration, each metadata error is RFC 7591's, the
//! registration access token alone reads, updates and deletes, and a registered client works.

use oauth_core::service::admin::{create_registration_token, RegistrationTokenSpec};
use oauth_core::AppState;
use oauth_tests::call::{json_request, post_to, Reply};
use oauth_tests::*;
use serde_json::{json, Value};

const CB: &str = "https://app.example/cb";

async fn initial_token(state: &AppState, max_uses: Option<u64>, expires_in: u64) -> String {
    let spec = RegistrationTokenSpec {
        workspace: "acme".into(),
        expires_in,
        max_uses,
        scope: "read write".into(),
    };
    let store = &*state.store.registrations;
    create_registration_token(store, &spec, state.now())
        .await
        .unwrap()
        .0
}

async fn register(state: &AppState, token: Option<&str>, body: &Value) -> Reply {
    json_request(state, ("POST", "/acme/oauth2/register"), token, Some(body)).await
}

fn assert_refused_token(r: &Reply) {
    assert_eq!((r.status, r.error()), (401, "invalid_token"), "{}", r.json);
    let challenge = r.header("www-authenticate").unwrap_or("");
    assert!(challenge.starts_with("Bearer") && challenge.contains("invalid_token"));
}

/// RFC 6750 §3.1: without any token, the challenge names no error.
fn assert_token_required(r: &Reply) {
    assert_eq!((r.status, r.error()), (401, "invalid_token"), "{}", r.json);
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"oauth\""));
}

#[tokio::test]
async fn registration_needs_a_valid_initial_access_token() {
    let (state, clock) = memory_state_with_clock();
    let body = json!({"redirect_uris": [CB], "client_name": "App"});
    assert_token_required(&register(&state, None, &body).await);
    assert_refused_token(&register(&state, Some("made-up"), &body).await);
    let once = initial_token(&state, Some(1), 600).await;
    let first = register(&state, Some(&once), &body).await;
    assert_eq!(first.status, 201, "{}", first.json);
    assert_refused_token(&register(&state, Some(&once), &body).await);
    let expiring = initial_token(&state, None, 60).await;
    clock.advance(60);
    assert_refused_token(&register(&state, Some(&expiring), &body).await);
    let other_ws = json_request(
        &state,
        ("POST", "/oauth2/register"),
        Some(&once),
        Some(&body),
    );
    assert_refused_token(&other_ws.await);
    assert_eq!(state.store.clients.clients("acme").await.unwrap().len(), 1);
}

#[tokio::test]
async fn each_metadata_error_is_rfc_7591s_and_writes_nothing() {
    let state = memory_state();
    let token = initial_token(&state, None, 600).await;
    let cases = [
        (
            json!({"redirect_uris": ["http://app.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"client_name": "no redirect"}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": "https://app.example/cb"}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": [CB], "grant_types": ["password"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [CB], "response_types": ["token"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [CB], "scope": "admin"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [CB], "token_endpoint_auth_method": "private_key_jwt"}),
            "invalid_client_metadata",
        ),
        (json!(["not", "an", "object"]), "invalid_client_metadata"),
    ];
    for (body, error) in cases {
        let r = register(&state, Some(&token), &body).await;
        assert_eq!((r.status, r.error()), (400, error), "{body}: {}", r.json);
        assert!(!r.field("error_description").contains("app.example"));
    }
    assert!(state
        .store
        .clients
        .clients("acme")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_registration_access_token_reads_updates_and_deletes() {
    let state = memory_state();
    let token = initial_token(&state, None, 600).await;
    let body = json!({
        "redirect_uris": [CB],
        "client_name": "App",
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "scope": "read",
        "logo_uri": "https://app.example/logo.png",
    });
    let r = register(&state, Some(&token), &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let (id, secret) = (r.field("client_id"), r.field("client_secret"));
    let rat = r.field("registration_access_token");
    let uri = r.field("registration_client_uri");
    assert!(
        uri.ends_with(&format!("/acme/oauth2/register/{id}")),
        "{uri}"
    );
    assert_eq!(r.json["client_secret_expires_at"], 0);
    assert_eq!(r.json["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(r.json["response_types"], json!(["code"]));
    assert!(
        r.json.get("logo_uri").is_none(),
        "unknown metadata is ignored"
    );

    let cc = post_to(
        &state,
        "/acme/oauth2/token",
        Some((&id, &secret)),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!((cc.status, cc.field("scope")), (200, "read".into()));

    let path = format!("/acme/oauth2/register/{id}");
    let read = json_request(&state, ("GET", &path), Some(&rat), None).await;
    assert_eq!(read.status, 200, "{}", read.json);
    assert_eq!(read.field("client_name"), "App");
    assert_eq!(read.field("registration_access_token"), rat, "RFC 7592 §3");
    assert!(
        read.json.get("client_secret").is_none(),
        "stored as a digest only"
    );
    assert_token_required(&json_request(&state, ("GET", &path), None, None).await);
    for wrong in [Some(token.as_str()), Some("made-up")] {
        let r = json_request(&state, ("GET", &path), wrong, None).await;
        assert_refused_token(&r);
    }
    let other = json_request(
        &state,
        ("GET", "/acme/oauth2/register/nobody"),
        Some(&rat),
        None,
    );
    assert_refused_token(&other.await);

    let update = json!({"client_id": id, "redirect_uris": [CB, "https://app.example/cb2"],
        "client_name": "Renamed", "grant_types": ["authorization_code"]});
    let ttl = |s: &mut oauth_core::service::admin::ClientSpec| s.policy.access_token_ttl = Some(60);
    let clients = &*state.store.clients;
    oauth_core::service::admin::update_client(clients, "acme", &id, ttl)
        .await
        .unwrap();
    let put = json_request(&state, ("PUT", &path), Some(&rat), Some(&update)).await;
    assert_eq!(put.status, 200, "{}", put.json);
    let kept = state
        .store
        .clients
        .client("acme", &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.policy.access_token_ttl,
        Some(60),
        "the operator's setting stays"
    );
    let widen_grants = json!({"client_id": id, "redirect_uris": [CB],
        "grant_types": ["authorization_code", "implicit"], "response_types": ["code", "token"]});
    let r = json_request(&state, ("PUT", &path), Some(&rat), Some(&widen_grants)).await;
    assert_eq!(
        r.error(),
        "invalid_client_metadata",
        "grants never widen by update"
    );
    assert_eq!(put.field("client_name"), "Renamed");
    assert_eq!(put.json["grant_types"], json!(["authorization_code"]));
    assert_eq!(put.json["scope"], "read", "left out: kept");
    let widen = json!({"client_id": id, "redirect_uris": [CB], "scope": "read write"});
    let r = json_request(&state, ("PUT", &path), Some(&rat), Some(&widen)).await;
    assert_eq!(
        r.error(),
        "invalid_client_metadata",
        "no widening by update"
    );
    let to_public =
        json!({"client_id": id, "redirect_uris": [CB], "token_endpoint_auth_method": "none"});
    let r = json_request(&state, ("PUT", &path), Some(&rat), Some(&to_public)).await;
    assert_eq!(r.error(), "invalid_client_metadata");
    let wrong_id = json!({"client_id": "other", "redirect_uris": [CB]});
    let r = json_request(&state, ("PUT", &path), Some(&rat), Some(&wrong_id)).await;
    assert_eq!(r.error(), "invalid_request");
    let cc = post_to(
        &state,
        "/acme/oauth2/token",
        Some((&id, &secret)),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(
        cc.error(),
        "unauthorized_client",
        "the update took client_credentials away"
    );

    let deleted = json_request(&state, ("DELETE", &path), Some(&rat), None).await;
    assert_eq!(deleted.status, 204);
    assert!(state
        .store
        .clients
        .client("acme", &id)
        .await
        .unwrap()
        .is_none());
    assert_refused_token(&json_request(&state, ("GET", &path), Some(&rat), None).await);
}

#[tokio::test]
async fn public_clients_register_without_a_secret_and_metadata_advertises_the_endpoint() {
    let state = memory_state();
    let token = initial_token(&state, None, 600).await;
    let body = json!({"redirect_uris": [CB], "token_endpoint_auth_method": "none"});
    let r = register(&state, Some(&token), &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert!(r.json.get("client_secret").is_none());
    assert!(r.json.get("client_secret_expires_at").is_none());
    assert_eq!(
        r.json["scope"], "read write",
        "the token's scopes by default"
    );
    let client = state
        .store
        .clients
        .client("acme", &r.field("client_id"))
        .await
        .unwrap()
        .unwrap();
    assert!(client.is_public() && client.policy.require_pkce && !client.policy.first_party);

    let meta = oauth_tests::call::token(
        &state,
        oauth_tests::call::get("/.well-known/oauth-authorization-server/acme"),
    )
    .await;
    assert!(meta
        .field("registration_endpoint")
        .ends_with("/acme/oauth2/register"));
}

/// RFC 7591's `client_uri`, `policy_uri` and `tos_uri` are kept, answered back, and linked
/// from the consent page; anything but an https URL is `invalid_client_metadata`.
#[tokio::test]
async fn a_clients_pages_are_registered_and_linked_from_consent() {
    use oauth_tests::browser::{log_in, Browser};
    let state = memory_state();
    let token = initial_token(&state, None, 600).await;
    let bad = json!({"redirect_uris": [CB], "tos_uri": "javascript:alert(1)"});
    let refused = register(&state, Some(&token), &bad).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error(), "invalid_client_metadata");
    let body = json!({
        "redirect_uris": [CB], "client_name": "Photo Prints",
        "client_uri": "https://photos.example/?a=1&b=2",
        "policy_uri": "https://photos.example/privacy",
    });
    let made = register(&state, Some(&token), &body).await;
    assert_eq!(made.status, 201, "{}", made.json);
    assert_eq!(made.json["client_uri"], "https://photos.example/?a=1&b=2");
    assert_eq!(made.json["policy_uri"], "https://photos.example/privacy");
    assert!(made.json.get("tos_uri").is_none());

    add_user(&state.store, "acme", "alice", "correct horse").await;
    let id = made.json["client_id"].as_str().unwrap();
    let url = format!(
        "/acme/oauth2/authorize?response_type=code&client_id={id}&state=s&code_challenge={}&code_challenge_method=S256",
        oauth_tests::fixtures::CHALLENGE
    );
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    log_in(&mut b, &state, &url, &login, "correct+horse").await;
    let consent = b.get(&state, &url).await;
    assert!(
        consent.body.contains(r#"<a href="https://photos.example/?a=1&#38;b=2" rel="noopener noreferrer" target="_blank">Home page</a>"#),
        "{}",
        consent.body
    );
    assert!(consent.body.contains(">Privacy policy</a>"));
    assert!(!consent.body.contains(">Terms</a>"));
}
