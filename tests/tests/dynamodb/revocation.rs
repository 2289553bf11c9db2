//! Revocation is authoritative where DynamoDB is strict: through the harness, with indexes
//! that lag, transactions that conflict and batch deletes that fail, the tokens a race's
//! winner got are refused by introspection, the authorizer and the token endpoint right after
//! the losers' second use, and every loser answers `invalid_grant`, never a 500.

use oauth_core::protocol::client::ClientPolicy;
use oauth_core::service::admin::{ClientSpec, Registered};
use oauth_core::AppState;
use oauth_tests::call::{post, post_to, Reply};
use oauth_tests::fixtures::*;
use oauth_tests::harness::{Fault, FaultKind, Harness, Trigger};
use oauth_tests::*;
use std::sync::Arc;
use std::time::Duration;

const RACERS: usize = 6;

struct Setup {
    state: Arc<AppState>,
    harness: Harness,
    app: Registered,
    /// A resource server that may introspect.
    rs: Registered,
}

async fn setup() -> Setup {
    let (state, harness, _) = harnessed_state().await;
    let grants = ["authorization_code", "refresh_token", "password"];
    let mut app_spec = spec(&grants);
    app_spec.policy.audience = vec!["https://api.example".into()];
    let app = register(&state.store, app_spec).await;
    let rs_spec = ClientSpec {
        policy: ClientPolicy {
            introspect: true,
            serves: vec!["https://api.example".into()],
            ..Default::default()
        },
        ..spec(&["client_credentials"])
    };
    let rs = register(&state.store, rs_spec).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    Setup {
        state: Arc::new(state),
        harness,
        app,
        rs,
    }
}

/// `body` sent by RACERS clients at once.
async fn race(s: &Setup, body: &str) -> Vec<Reply> {
    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let (state, barrier, body) = (s.state.clone(), barrier.clone(), body.to_owned());
            let (id, secret) = (
                s.app.client.client_id.clone(),
                s.app.client_secret.clone().unwrap(),
            );
            tokio::spawn(async move {
                barrier.wait().await;
                post(&state, Some((&id, &secret)), &body).await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for t in tasks {
        replies.push(t.await.unwrap());
    }
    replies
}

/// The winner's tokens; every loser answered `invalid_grant`.
fn winner(replies: &[Reply]) -> (String, String) {
    let won: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        won.len(),
        1,
        "one winner: {:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in replies.iter().filter(|r| r.status != 200) {
        assert_eq!((r.status, r.error()), (400, "invalid_grant"), "{}", r.json);
    }
    (won[0].field("access_token"), won[0].field("refresh_token"))
}

/// Introspection, the authorizer and the token endpoint all refuse the tokens.
async fn assert_refused(s: &Setup, (access, refresh): (String, String)) {
    let state = &*s.state;
    // The resource server introspects the access token (a refresh token is never for it); the
    // refresh token is tried where it is used, at the token endpoint.
    let body = format!("token={access}");
    let r = post_to(state, "/oauth2/introspect", Some(creds(&s.rs)), &body).await;
    assert_eq!(
        r.json,
        serde_json::json!({"active": false}),
        "introspection"
    );
    let event = oauth_tests::call::authorizer_event(Some(&format!("Bearer {access}")));
    let verdict = oauth_core::http::authorizer::authorize(state, "default", &event).await;
    assert!(
        !verdict.unwrap().is_authorized,
        "the authorizer lets it through"
    );
    let body = format!("grant_type=refresh_token&refresh_token={refresh}");
    let r = post(state, Some(creds(&s.app)), &body).await;
    assert_eq!(r.error(), "invalid_grant", "the token endpoint takes it");
}

/// A fresh token pair, which the resource server sees as active (so that `assert_refused`
/// proves a revocation, not a token it could never see).
async fn login(s: &Setup) -> Reply {
    let body = "grant_type=password&username=alice&password=correct+horse";
    let r = post(&s.state, Some(creds(&s.app)), body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let seen = format!("token={}", r.field("access_token"));
    let seen = post_to(&s.state, "/oauth2/introspect", Some(creds(&s.rs)), &seen).await;
    assert_eq!(seen.json["active"], true, "the resource server sees it");
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_refreshes_with_a_lagging_index() {
    let s = setup().await;
    let refresh = login(&s).await.field("refresh_token");
    s.harness.gsi_lag(Duration::from_secs(30));
    let replies = race(
        &s,
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    assert_refused(&s, winner(&replies)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_redemptions_with_a_lagging_index() {
    let s = setup().await;
    login(&s).await;
    let code = store_code(&s.state.store, &code_for(&s.app, &alice())).await;
    s.harness.gsi_lag(Duration::from_secs(30));
    let replies = race(&s, &code_body(&code)).await;
    assert_refused(&s, winner(&replies)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_with_conflicting_transactions() {
    let s = setup().await;
    s.harness.gsi_lag(Duration::from_secs(30));
    s.harness.transaction_conflicts(Duration::from_millis(150));
    let refresh = login(&s).await.field("refresh_token");
    let replies = race(
        &s,
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    assert_refused(&s, winner(&replies)).await;
    let code = store_code(&s.state.store, &code_for(&s.app, &alice())).await;
    let replies = race(&s, &code_body(&code)).await;
    assert_refused(&s, winner(&replies)).await;
    assert!(
        s.harness.conflicts_injected() > 0,
        "the losers' revocations met in-flight transactions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_batch_delete_leaves_nothing_usable() {
    let s = setup().await;
    s.harness.fault(Fault::new(
        Trigger::Operation("BatchWriteItem"),
        FaultKind::InternalError,
    ));
    let first = login(&s).await;
    let refresh = first.field("refresh_token");
    let body = format!("grant_type=refresh_token&refresh_token={refresh}");
    let rotated = post(&s.state, Some(creds(&s.app)), &body).await;
    assert_eq!(rotated.status, 200);
    let reuse = post(&s.state, Some(creds(&s.app)), &body).await;
    assert_eq!(
        (reuse.status, reuse.error()),
        (400, "invalid_grant"),
        "{}",
        reuse.json
    );
    let calls = s.harness.take_calls();
    assert!(
        calls.iter().any(|c| c.operation == "BatchWriteItem"),
        "the sweep was tried and failed"
    );
    assert_refused(
        &s,
        (
            rotated.field("access_token"),
            rotated.field("refresh_token"),
        ),
    )
    .await;
    assert_refused(&s, (first.field("access_token"), refresh)).await;
}
