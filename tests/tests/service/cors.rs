//! CORS (the Fetch standard) for browser apps: the token and revocation endpoints answer an
//! origin only where the client registered a redirect URI on it; preflights are answered;
//! metadata is public; the authorization endpoint's pages never carry CORS headers.

use lambda_http::{Body, Request};
use oauth_core::service::admin::ClientSpec;
use oauth_tests::call::{self, basic};
use oauth_tests::*;

const APP: &str = "https://app.example";

fn with_origin(
    method: &str,
    path: &str,
    origin: Option<&str>,
    auth: Option<&str>,
    body: &str,
) -> Request {
    let mut b = lambda_http::http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        b = b.header("origin", o);
    }
    if let Some(a) = auth {
        b = b.header("authorization", a);
    }
    b.body(Body::Text(body.to_owned())).unwrap()
}

#[tokio::test]
async fn the_token_endpoint_allows_only_the_clients_registered_origins() {
    let state = memory_state();
    let r = register(
        &state.store,
        ClientSpec {
            redirect_uris: vec![format!("{APP}/callback")],
            ..fixtures::spec(&["authorization_code", "client_credentials"])
        },
    )
    .await;
    let auth = basic(&r.client.client_id, r.client_secret.as_deref().unwrap());
    let cc = "grant_type=client_credentials";
    let ok = call::token(
        &state,
        with_origin("POST", "/oauth2/token", Some(APP), Some(&auth), cc),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert_eq!(ok.header("access-control-allow-origin"), Some(APP));
    assert_eq!(ok.header("vary"), Some("Origin"));
    assert_eq!(
        ok.header("access-control-allow-credentials"),
        None,
        "no credentials mode"
    );

    let wrong = basic(&r.client.client_id, "wrong");
    let refused = call::token(
        &state,
        with_origin("POST", "/oauth2/token", Some(APP), Some(&wrong), cc),
    )
    .await;
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.header("access-control-allow-origin"),
        Some(APP),
        "the app may read the error"
    );

    for (origin, why) in [
        ("https://evil.example", "another origin"),
        ("https://app.example:8443", "another port"),
    ] {
        let r = call::token(
            &state,
            with_origin("POST", "/oauth2/token", Some(origin), Some(&auth), cc),
        )
        .await;
        assert_eq!(r.header("access-control-allow-origin"), None, "{why}");
        assert_eq!(r.header("vary"), Some("Origin"), "{why}");
    }
    let plain = call::token(
        &state,
        with_origin("POST", "/oauth2/token", None, Some(&auth), cc),
    )
    .await;
    assert_eq!(
        (
            plain.header("access-control-allow-origin"),
            plain.header("vary")
        ),
        (None, Some("Origin")),
        "the answer varies with Origin even when none was sent"
    );

    let revoke = with_origin("POST", "/oauth2/revoke", Some(APP), Some(&auth), "token=x");
    let revoked = call::token(&state, revoke).await;
    assert_eq!(
        (
            revoked.status,
            revoked.header("access-control-allow-origin")
        ),
        (200, Some(APP))
    );
}

#[tokio::test]
async fn preflights_metadata_and_never_the_authorization_pages() {
    let state = memory_state();
    let mut pre = with_origin("OPTIONS", "/oauth2/token", Some(APP), None, "");
    pre.headers_mut()
        .insert("access-control-request-method", "POST".parse().unwrap());
    pre.headers_mut().insert(
        "access-control-request-headers",
        "authorization".parse().unwrap(),
    );
    let answer = call::token(&state, pre).await;
    assert_eq!(answer.status, 204);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(answer.header("access-control-allow-methods"), Some("POST"));
    assert!(answer
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    let not_preflight = call::token(
        &state,
        with_origin("OPTIONS", "/oauth2/token", Some(APP), None, ""),
    )
    .await;
    assert_eq!(not_preflight.status, 405);

    let meta = call::token(&state, call::get("/.well-known/oauth-authorization-server")).await;
    assert_eq!(meta.header("access-control-allow-origin"), Some("*"));

    let page = with_origin(
        "GET",
        "/oauth2/authorize?response_type=code&client_id=x",
        Some(APP),
        None,
        "",
    );
    let resp = oauth_core::http::authorization::handle(&state, page).await;
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let mut pre = with_origin("OPTIONS", "/oauth2/authorize", Some(APP), None, "");
    pre.headers_mut()
        .insert("access-control-request-method", "POST".parse().unwrap());
    let resp = oauth_core::http::authorization::handle(&state, pre).await;
    assert!(resp.headers().get("access-control-allow-origin").is_none());
}
