//! What every answer carries, and what no answer echoes: `nosniff` on JSON, HSTS and a CSP
//! `form-action` that allows the client's redirect origin on pages, and error descriptions
//! within RFC 6749's character set that never repeat the request's own text.

use oauth_tests::browser::*;
use oauth_tests::call::{self, form_post, post};
use oauth_tests::fixtures::*;
use oauth_tests::*;

/// RFC 6749 §5.2: `error_description` is %x20-21 / %x23-5B / %x5D-7E.
fn allowed(description: &str) -> bool {
    description
        .bytes()
        .all(|b| b == 0x20 || b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

const MARK: &str = "ECHOx";

#[tokio::test]
async fn error_descriptions_never_echo_and_stay_in_the_charset() {
    let state = authorization_state();
    let r = web_app(&state, |s| s.grant_types.push("client_credentials".into())).await;
    let auth = Some(creds(&r));
    let bodies = [
        format!("grant_type={MARK}"),
        format!("grant_type=client_credentials&scope={MARK}%22"),
        format!("grant_type=client_credentials&scope=read+{MARK}"),
        format!("grant_type=client_credentials&{MARK}=1&{MARK}=2"),
        "grant_type=client_credentials&scope=a&scope=b".to_owned(),
        "scope=read".to_owned(),
        "grant_type=authorization_code".to_owned(),
    ];
    for body in &bodies {
        let reply = post(&state, auth, body).await;
        let d = reply.json["error_description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            !d.is_empty() && allowed(&d) && !d.contains(MARK),
            "{body}: {d:?}"
        );
    }
    let id = &r.client.client_id;
    let queries = [
        format!("response_type={MARK}"),
        format!("response_type=code&scope={MARK}"),
        format!("response_type=code&code_challenge=x&code_challenge_method={MARK}"),
        format!("response_type=code&{MARK}=1&{MARK}=2"),
    ];
    for q in &queries {
        let url = format!("/oauth2/authorize?client_id={id}&state=s&{q}");
        let p = Browser::default().get(&state, &url).await;
        let d = params_of(p.location(), '?')
            .get("error_description")
            .cloned()
            .unwrap_or_default();
        assert!(
            !d.is_empty() && allowed(&d) && !d.contains(MARK),
            "{q}: {d:?}"
        );
    }
}

#[tokio::test]
async fn json_answers_carry_nosniff() {
    let state = memory_state();
    let r = register(&state.store, spec(&["client_credentials"])).await;
    let ok = post(&state, Some(creds(&r)), "grant_type=client_credentials").await;
    let err = post(
        &state,
        Some((&r.client.client_id, "wrong")),
        "grant_type=client_credentials",
    )
    .await;
    let meta = call::token(&state, call::get("/.well-known/oauth-authorization-server")).await;
    let revoke = call::token(&state, form_post("/oauth2/revoke", None, "token=x")).await;
    for reply in [&ok, &err, &meta, &revoke] {
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{}",
            reply.status
        );
    }
    assert_eq!(revoke.status, 401);
    assert!(
        revoke.header("www-authenticate").is_some(),
        "every 401 names its scheme"
    );
}

#[tokio::test]
async fn pages_carry_hsts_and_a_form_action_that_lets_the_browser_back_to_the_client() {
    let state = authorization_state();
    let r = web_app(&state, |_| {}).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    log_in(&mut b, &state, &url, &login, "correct+horse").await;
    let consent_page = b.get(&state, &url).await;
    for page in [&login, &consent_page] {
        let csp = page.header("content-security-policy").unwrap();
        assert!(
            csp.contains("form-action 'self' https://app.example;"),
            "{csp}"
        );
        assert!(page
            .header("strict-transport-security")
            .is_some_and(|h| h.contains("max-age=")));
    }
    let error = Browser::default()
        .get(&state, "/oauth2/authorize?client_id=nobody")
        .await;
    let csp = error.header("content-security-policy").unwrap();
    assert!(csp.contains("form-action 'none'"), "{csp}");
    assert!(error.header("strict-transport-security").is_some());
}
