//! The authorization endpoint's request validation (RFC 6749 §3.1, §4.1.2.1; RFC 9700 §2.1)
//! through the function's real handler on the in-memory store: which errors show a page and
//! never redirect, and which go back to the client with `state` and `iss`.

use oauth_tests::browser::*;
use oauth_tests::fixtures::*;

#[tokio::test]
async fn errors_before_the_redirect_uri_is_trusted_show_a_page_and_never_redirect() {
    let state = authorization_state();
    let one = web_app(&state, |_| {}).await;
    let two = web_app(&state, |s| {
        s.redirect_uris.push("https://app.example/cb2".into())
    })
    .await;
    let (a, b) = (&one.client.client_id, &two.client.client_id);
    let cases = [
        (
            "unknown client",
            "/oauth2/authorize?response_type=code&client_id=nobody&state=s".to_string(),
        ),
        (
            "no client_id",
            "/oauth2/authorize?response_type=code&state=s".to_string(),
        ),
        (
            "unregistered redirect_uri",
            authorize_url(a, "&redirect_uri=https://evil.example/cb"),
        ),
        (
            "redirect_uri differing in case",
            authorize_url(a, "&redirect_uri=https://app.example/CB"),
        ),
        ("several registered, none named", authorize_url(b, "")),
        (
            "repeated redirect_uri",
            authorize_url(a, &format!("&redirect_uri={CB}&redirect_uri={CB}")),
        ),
        (
            "repeated client_id",
            authorize_url(a, &format!("&client_id={a}")),
        ),
        ("bad percent-encoding", authorize_url(a, "&state=%zz")),
    ];
    for (name, url) in cases {
        let p = Browser::default().get(&state, &url).await;
        assert_eq!(p.status, 400, "{name}");
        assert!(p.header("location").is_none(), "{name}: must not redirect");
        assert!(
            p.body.contains("<h1>This sign-in link does not work</h1>")
                && p.body.contains("Go back to the application and try again"),
            "{name}"
        );
        assert_protected_html(&p);
    }
    let put = lambda_http::http::Request::builder()
        .method("PUT")
        .uri(authorize_url(a, ""))
        .body(lambda_http::Body::Empty)
        .unwrap();
    let resp = oauth_core::http::authorization::handle(&state, put).await;
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET, POST");
}

#[tokio::test]
async fn other_errors_redirect_with_error_state_and_iss() {
    let state = authorization_state();
    let r = web_app(&state, |s| s.grant_types.push("implicit".into())).await;
    let public = web_app(&state, |s| s.public = true).await;
    let id = &r.client.client_id;
    let cases = [
        (
            "scope outside",
            authorize_url(id, "&scope=admin"),
            '?',
            "invalid_scope",
        ),
        (
            "bad response_type",
            format!("/oauth2/authorize?response_type=code+id_token&client_id={id}&state=xyz"),
            '?',
            "unsupported_response_type",
        ),
        (
            "repeated scope",
            authorize_url(id, "&scope=read&scope=read"),
            '?',
            "invalid_request",
        ),
        (
            "plain not allowed",
            authorize_url(id, "&code_challenge_method=plain"),
            '?',
            "invalid_request",
        ),
        (
            "method omitted: plain by RFC 7636 §4.3, not allowed here (§4.4.1)",
            format!("/oauth2/authorize?response_type=code&client_id={id}&state=xyz&code_challenge={CHALLENGE}"),
            '?',
            "invalid_request",
        ),
        (
            "public client without PKCE",
            format!(
                "/oauth2/authorize?response_type=code&client_id={}&state=xyz",
                public.client.client_id
            ),
            '?',
            "invalid_request",
        ),
        (
            "implicit error in the fragment",
            format!("/oauth2/authorize?response_type=token&client_id={id}&state=xyz&scope=admin"),
            '#',
            "invalid_scope",
        ),
    ];
    for (name, url, sep, error) in cases {
        let p = Browser::default().get(&state, &url).await;
        assert_eq!(p.status, 302, "{name}: {}", p.body);
        assert!(p.location().starts_with(CB), "{name}");
        let q = params_of(p.location(), sep);
        assert_eq!(q["error"], error, "{name}");
        assert_eq!(q["state"], "xyz", "{name}: state echoed");
        assert_eq!(q["iss"], ISSUER, "{name}");
        assert!(!q["error_description"].is_empty());
        assert!(
            p.body.is_empty(),
            "{name}: seed 000's body stays on its path"
        );
    }
}
