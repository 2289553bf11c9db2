//! `prompt` as OpenID Connect Core §3.1.2.1 defines it (`none`, `login`, `consent`), and
//! public clients, which always show the user a page (RFC 8252 §8.6) and never get the
//! password grant (RFC 9700 §2.4).

use oauth_core::protocol::client::ClientPolicy;
use oauth_core::service::admin::{build_client, ClientSpec};
use oauth_core::AppState;
use oauth_tests::browser::*;
use oauth_tests::call::post;
use oauth_tests::fixtures::*;
use oauth_tests::*;

/// alice signed in (and, with `allow`, consented) for `client_id`; the browser.
async fn signed_in(state: &AppState, client_id: &str, allow: bool) -> Browser {
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(client_id, "");
    let mut b = Browser::default();
    let login = b.get(state, &url).await;
    log_in(&mut b, state, &url, &login, "correct+horse").await;
    if allow {
        let page = b.get(state, &url).await;
        consent(&mut b, state, &url, &page, "allow").await;
    }
    b
}

fn error_of(p: &Page) -> (String, String, String) {
    let q = params_of(p.location(), '?');
    (q["error"].clone(), q["state"].clone(), q["iss"].clone())
}

#[tokio::test]
async fn prompt_none_never_shows_a_page() {
    let state = authorization_state();
    let r = web_app(&state, |_| {}).await;
    let none = authorize_url(&r.client.client_id, "&prompt=none");
    let nobody = Browser::default().get(&state, &none).await;
    assert_eq!(nobody.status, 302, "{}", nobody.body);
    assert_eq!(
        error_of(&nobody),
        ("login_required".into(), "xyz".into(), ISSUER.into())
    );
    let mut b = signed_in(&state, &r.client.client_id, false).await;
    let unconsented = b.get(&state, &none).await;
    assert_eq!(error_of(&unconsented).0, "consent_required");
    let url = authorize_url(&r.client.client_id, "");
    let page = b.get(&state, &url).await;
    consent(&mut b, &state, &url, &page, "allow").await;
    let silent = b.get(&state, &none).await;
    assert!(silent.location().contains("code="), "{}", silent.location());
    let mixed = b
        .get(
            &state,
            &authorize_url(&r.client.client_id, "&prompt=none+login"),
        )
        .await;
    assert_eq!(error_of(&mixed).0, "invalid_request");
}

#[tokio::test]
async fn prompt_consent_asks_again() {
    let state = authorization_state();
    let r = web_app(&state, |_| {}).await;
    let mut b = signed_in(&state, &r.client.client_id, true).await;
    let remembered = b.get(&state, &authorize_url(&r.client.client_id, "")).await;
    assert_eq!(remembered.status, 302, "consent remembered");
    let asked = b
        .get(
            &state,
            &authorize_url(&r.client.client_id, "&prompt=consent"),
        )
        .await;
    assert!(
        asked.body.contains("Allow access?"),
        "prompt=consent asks again"
    );
    let url = authorize_url(&r.client.client_id, "&prompt=login+consent");
    let login = b.get(&state, &url).await;
    let after = log_in(&mut b, &state, &url, &login, "correct+horse").await;
    assert!(
        after.location().contains("prompt=consent") && !after.location().contains("login"),
        "{}",
        after.location()
    );
}

#[tokio::test]
async fn a_public_client_always_shows_a_page() {
    let state = authorization_state();
    let r = web_app(&state, |s| s.public = true).await;
    let mut b = signed_in(&state, &r.client.client_id, true).await;
    let again = b.get(&state, &authorize_url(&r.client.client_id, "")).await;
    assert!(
        again.body.contains("Allow access?"),
        "asked every time, despite the consent given"
    );
    let none = b
        .get(&state, &authorize_url(&r.client.client_id, "&prompt=none"))
        .await;
    assert_eq!(error_of(&none).0, "consent_required");
}

#[tokio::test]
async fn a_public_client_never_gets_the_password_grant() {
    let state = memory_state();
    let spec = ClientSpec {
        public: true,
        ..spec(&["authorization_code", "password"])
    };
    assert!(
        build_client(&spec, 1).is_err(),
        "the CLI refuses to register it"
    );
    // A record that says so anyway (written before the rule) is refused all the same.
    let mut client = build_client(
        &ClientSpec {
            grant_types: vec!["authorization_code".into()],
            ..spec.clone()
        },
        1,
    )
    .unwrap()
    .client;
    client
        .grant_types
        .push(oauth_core::protocol::client::GrantType::Password);
    state.store.clients.create_client(&client).await.unwrap();
    add_user(&state.store, "default", "alice", "correct horse").await;
    let body = format!(
        "grant_type=password&username=alice&password=correct+horse&client_id={}",
        client.client_id
    );
    let r = post(&state, None, &body).await;
    assert_eq!(
        (r.status, r.error()),
        (400, "unauthorized_client"),
        "{}",
        r.json
    );
    let first_party = ClientSpec {
        public: true,
        policy: ClientPolicy {
            first_party: true,
            ..Default::default()
        },
        // Only the code grant, so that first_party alone is what is refused.
        grant_types: vec!["authorization_code".into()],
        ..spec
    };
    let mut not_first_party = first_party.clone();
    not_first_party.policy.first_party = false;
    assert!(build_client(&not_first_party, 1).is_ok());
    assert!(
        build_client(&first_party, 1).is_err(),
        "a public client cannot be first-party"
    );
}
