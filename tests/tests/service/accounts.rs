//! Accounts and clients end when the operator ends them: deleting a user, a new password,
//! disabling, or `revoke-tokens` end every token, session and consent of the user; deleting a
//! client, or rotating its secret with `--revoke-tokens`, ends its tokens. A re-created
//! username inherits nothing.

use oauth_core::protocol::client::ClientPolicy;
use oauth_core::service::admin::{self, ClientSpec, Registered, UserAction};
use oauth_core::AppState;
use oauth_tests::browser::*;
use oauth_tests::call::{post, post_to};
use oauth_tests::fixtures::*;
use oauth_tests::*;

/// The resource alice's tokens are for, served by the world's resource server.
const API: &str = "https://api.example";

struct World {
    state: AppState,
    app: Registered,
    rs: Registered,
}

async fn world() -> World {
    let state = authorization_state();
    let grants = [
        "authorization_code",
        "refresh_token",
        "password",
        "client_credentials",
    ];
    let app = web_app(&state, |s| {
        s.grant_types = grants.map(String::from).to_vec();
        s.policy.audience = vec![API.into()];
    })
    .await;
    let rs = register(
        &state.store,
        ClientSpec {
            policy: ClientPolicy {
                introspect: true,
                serves: vec![API.into()],
                ..Default::default()
            },
            ..spec(&["client_credentials"])
        },
    )
    .await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    World { state, app, rs }
}

/// What alice holds: a token pair, and a browser signed in with a remembered consent.
struct Held {
    access: String,
    refresh: String,
    browser: Browser,
    url: String,
}

async fn hold(w: &World) -> Held {
    let login = "grant_type=password&username=alice&password=correct+horse";
    let pair = post(&w.state, Some(creds(&w.app)), login).await;
    assert_eq!(pair.status, 200, "{}", pair.json);
    let mut b = Browser::default();
    let url = authorize_url(&w.app.client.client_id, "&scope=read");
    let page = b.get(&w.state, &url).await;
    log_in(&mut b, &w.state, &url, &page, "correct+horse").await;
    let consent_page = b.get(&w.state, &url).await;
    consent(&mut b, &w.state, &url, &consent_page, "allow").await;
    let again = b.get(&w.state, &url).await;
    assert_eq!(again.status, 302, "signed in, consent remembered");
    Held {
        access: pair.field("access_token"),
        refresh: pair.field("refresh_token"),
        browser: b,
        url,
    }
}

async fn active(w: &World, token: &str) -> bool {
    let r = post_to(
        &w.state,
        "/oauth2/introspect",
        Some(creds(&w.rs)),
        &format!("token={token}"),
    )
    .await;
    r.json["active"] == true
}

/// Whether the store's authoritative check finds `token` active (what introspection and the
/// authorizer ask), for tokens no resource server may introspect (refresh tokens, another
/// client's).
async fn stands(w: &World, token: &str) -> bool {
    oauth_core::service::token_lifecycle::active(&w.state, "default", "https://auth.example", token)
        .await
        .unwrap()
        .is_some()
}

/// Everything alice held is over: tokens refused everywhere, the browser asked to sign in.
async fn assert_ended(w: &World, mut h: Held, why: &str) {
    assert!(!active(w, &h.access).await, "{why}: access token");
    assert!(!stands(w, &h.refresh).await, "{why}: refresh token");
    let event = oauth_tests::call::authorizer_event(Some(&format!("Bearer {}", h.access)));
    let denied = oauth_core::http::authorizer::authorize(&w.state, "default", &event).await;
    assert!(!denied.unwrap().is_authorized, "{why}: the authorizer");
    let body = format!("grant_type=refresh_token&refresh_token={}", h.refresh);
    let refreshed = post(&w.state, Some(creds(&w.app)), &body).await;
    assert_eq!(refreshed.error(), "invalid_grant", "{why}: refresh");
    let page = h.browser.get(&w.state, &h.url).await;
    assert!(page.body.contains("Sign in"), "{why}: the session is over");
}

async fn change(w: &World, action: UserAction) {
    let iterations = test_settings().pbkdf2_iterations;
    let who = ("default", "alice");
    admin::change_user(&*w.state.store.users, iterations, who, &action)
        .await
        .unwrap();
}

#[tokio::test]
async fn every_user_action_but_enable_ends_what_the_user_held() {
    for action in [
        UserAction::RevokeTokens,
        UserAction::SetPassword("battery staple".into()),
        UserAction::Disable,
    ] {
        let w = world().await;
        let h = hold(&w).await;
        assert!(active(&w, &h.access).await);
        change(&w, action.clone()).await;
        assert_ended(&w, h, &format!("{action:?}")).await;
    }
}

#[tokio::test]
async fn consents_end_with_them() {
    let w = world().await;
    let h = hold(&w).await;
    change(&w, UserAction::RevokeTokens).await;
    let mut b = h.browser;
    let page = b.get(&w.state, &h.url).await;
    log_in(&mut b, &w.state, &h.url, &page, "correct+horse").await;
    let asked = b.get(&w.state, &h.url).await;
    assert!(
        asked.body.contains("Allow access?"),
        "the consent given before is gone"
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_until_enabled() {
    let w = world().await;
    let h = hold(&w).await;
    change(&w, UserAction::Disable).await;
    let login = "grant_type=password&username=alice&password=correct+horse";
    let refused = post(&w.state, Some(creds(&w.app)), login).await;
    assert_eq!(refused.error(), "invalid_grant", "the password grant");
    let mut b = Browser::default();
    let page = b.get(&w.state, &h.url).await;
    let again = log_in(&mut b, &w.state, &h.url, &page, "correct+horse").await;
    assert_eq!(again.status, 200, "the login page, again");
    change(&w, UserAction::Enable).await;
    let back = post(&w.state, Some(creds(&w.app)), login).await;
    assert_eq!(back.status, 200, "{}", back.json);
    assert!(!active(&w, &h.access).await, "what was ended stays ended");
}

#[tokio::test]
async fn a_re_created_username_inherits_nothing() {
    let w = world().await;
    let h = hold(&w).await;
    change(&w, UserAction::Delete).await;
    add_user(&w.state.store, "default", "alice", "another password").await;
    assert_ended(&w, h, "deleted and re-created").await;
}

#[tokio::test]
async fn client_revocations_end_its_tokens() {
    let w = world().await;
    let clients = &*w.state.store.clients;
    let (ws, id) = ("default", w.app.client.client_id.as_str());
    let h = hold(&w).await;
    let secret = admin::rotate_secret(clients, (ws, id), None, now())
        .await
        .unwrap();
    assert!(
        active(&w, &h.access).await,
        "a new secret alone keeps the tokens"
    );
    assert!(stands(&w, &h.refresh).await);
    admin::revoke_client_tokens(clients, ws, id).await.unwrap();
    assert!(!active(&w, &h.access).await && !stands(&w, &h.refresh).await);
    let body = format!("grant_type=refresh_token&refresh_token={}", h.refresh);
    let refreshed = post(&w.state, Some((id, &secret)), &body).await;
    assert_eq!(
        refreshed.error(),
        "invalid_grant",
        "refresh after revoke-tokens"
    );
    let cc = post(
        &w.state,
        Some(creds(&w.rs)),
        "grant_type=client_credentials",
    )
    .await;
    let token = cc.field("access_token");
    assert!(active(&w, &token).await && stands(&w, &token).await);
    clients
        .delete_client("default", &w.rs.client.client_id)
        .await
        .unwrap();
    assert!(
        !stands(&w, &token).await,
        "a deleted client's tokens are dead"
    );
    // Re-created under the same id, it does not revive them.
    let again = ClientSpec {
        policy: ClientPolicy {
            introspect: true,
            serves: vec![API.into()],
            ..Default::default()
        },
        ..spec(&["client_credentials"])
    };
    let creds_again = oauth_core::service::admin::Credentials {
        client_id: w.rs.client.client_id.clone(),
        secret: None,
    };
    admin::import_clients(clients, &[(again, creds_again)], now())
        .await
        .unwrap();
    assert!(
        !stands(&w, &token).await,
        "a re-created client inherits nothing"
    );
}
