//! What a deployment offers (`GRANT_TYPES`, `PKCE_PLAIN`) binds every client, whatever it is
//! registered for, and server metadata (RFC 8414) advertises exactly that.

use oauth_core::protocol::deployment::Deployment;
use oauth_core::AppState;
use oauth_tests::browser::*;
use oauth_tests::call::{self, post};
use oauth_tests::fixtures::*;
use oauth_tests::*;
use serde_json::json;

/// Codes and client credentials only, and no `plain` PKCE.
fn code_only() -> AppState {
    let mut state = authorization_state();
    state.settings.deployment =
        Deployment::parse(Some("authorization_code client_credentials"), false).unwrap();
    state
}

#[tokio::test]
async fn metadata_advertises_only_what_the_deployment_offers() {
    let state = code_only();
    let m = call::token(&state, call::get("/.well-known/oauth-authorization-server"))
        .await
        .json;
    assert_eq!(
        m["grant_types_supported"],
        json!(["authorization_code", "client_credentials"])
    );
    assert_eq!(m["response_types_supported"], json!(["code"]));
    assert_eq!(m["response_modes_supported"], json!(["query"]));
    assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));

    let mut machines = state.clone();
    machines.settings.deployment = Deployment::parse(Some("client_credentials"), false).unwrap();
    let m = call::token(
        &machines,
        call::get("/.well-known/oauth-authorization-server"),
    )
    .await
    .json;
    assert_eq!(m.get("authorization_endpoint"), None, "RFC 8414 §2");
    assert_eq!(m["grant_types_supported"], json!(["client_credentials"]));
}

#[tokio::test]
async fn the_token_endpoint_refuses_a_grant_the_deployment_does_not_offer() {
    let state = code_only();
    let every = [
        "authorization_code",
        "refresh_token",
        "password",
        "client_credentials",
    ];
    let r = register(&state.store, spec(&every)).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let password = "grant_type=password&username=alice&password=correct+horse";
    let refused = post(&state, Some(creds(&r)), password).await;
    assert_eq!(
        (refused.status, refused.error()),
        (400, "unsupported_grant_type")
    );
    let incomplete = post(&state, Some(creds(&r)), "grant_type=password").await;
    assert_eq!(
        incomplete.error(),
        "unsupported_grant_type",
        "before any other parameter is read"
    );
    let refresh = post(
        &state,
        Some(creds(&r)),
        "grant_type=refresh_token&refresh_token=x",
    )
    .await;
    assert_eq!(refresh.error(), "unsupported_grant_type");
    // The client is registered for refresh_token, but none is issued where the grant is off.
    let code = store_code(&state.store, &code_for(&r, &alice())).await;
    let exchanged = post(&state, Some(creds(&r)), &code_body(&code)).await;
    assert_eq!(exchanged.status, 200, "{}", exchanged.json);
    assert!(
        exchanged.json.get("refresh_token").is_none(),
        "the key is absent (RFC 6749 §5.1)"
    );
    let cc = post(&state, Some(creds(&r)), "grant_type=client_credentials").await;
    assert_eq!(cc.status, 200);
}

#[tokio::test]
async fn the_authorization_endpoint_refuses_what_the_deployment_does_not_offer() {
    let state = code_only();
    let app = web_app(&state, |s| {
        s.grant_types.push("implicit".into());
        s.policy.allow_plain_pkce = true;
    })
    .await;
    let id = &app.client.client_id;
    let implicit = format!("/oauth2/authorize?response_type=token&client_id={id}&state=xyz");
    let p = Browser::default().get(&state, &implicit).await;
    let back = params_of(p.location(), '#');
    assert_eq!(back["error"], "unsupported_response_type");
    assert_eq!(back["state"], "xyz");
    let plain = authorize_url(id, "&code_challenge_method=plain");
    let p = Browser::default().get(&state, &plain).await;
    assert_eq!(params_of(p.location(), '?')["error"], "invalid_request");
    // The same client where the deployment offers plain: the login page.
    let mut open = state.clone();
    open.settings.deployment = Deployment::parse(None, true).unwrap();
    let p = Browser::default().get(&open, &plain).await;
    assert_eq!(p.status, 200, "{}", p.body);
}
