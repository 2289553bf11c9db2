//! Races against DynamoDB Local: any number of concurrent uses of one code or one refresh
//! token, exactly one winner.

use oauth_core::config::now;
use oauth_core::protocol::model::CodeGrant;
use oauth_core::protocol::pkce::Method;
use oauth_core::protocol::scope::Scopes;
use oauth_core::service::admin::ClientSpec;
use oauth_tests::call::post;
use oauth_tests::*;
use std::sync::Arc;

const N: usize = 16;
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Sends `body` N times at once; returns the statuses.
async fn race(state: &Arc<oauth_core::AppState>, id: &str, secret: &str, body: &str) -> Vec<u16> {
    let barrier = Arc::new(tokio::sync::Barrier::new(N));
    let tasks: Vec<_> = (0..N)
        .map(|_| {
            let (state, barrier) = (state.clone(), barrier.clone());
            let (id, secret, body) = (id.to_owned(), secret.to_owned(), body.to_owned());
            tokio::spawn(async move {
                barrier.wait().await;
                post(&state, Some((&id, &secret)), &body).await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    statuses
}

fn winners(statuses: &[u16]) -> usize {
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 400),
        "{statuses:?}"
    );
    statuses.iter().filter(|s| **s == 200).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redemptions_of_one_code_have_exactly_one_winner() {
    let state = Arc::new(fresh_state().await);
    let r = register(
        &state.store,
        ClientSpec {
            workspace: "default".into(),
            name: "racer".into(),
            redirect_uris: vec!["https://app.example/cb".into()],
            ..Default::default()
        },
    )
    .await;
    let code = store_code(
        &state.store,
        &CodeGrant {
            workspace: "default".into(),
            client_id: r.client.client_id.clone(),
            redirect_uri: Some("https://app.example/cb".into()),
            scope: Scopes::default(),
            username: "alice".into(),
            sub: "sub-alice".into(),
            challenge: Some((Method::S256, CHALLENGE.into())),
            grant_id: oauth_core::crypto::new_secret(),
            expires_at: now() + 60,
            used: false,
        },
    )
    .await;
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=https://app.example/cb&code_verifier={VERIFIER}"
    );
    let statuses = race(
        &state,
        &r.client.client_id,
        r.client_secret.as_deref().unwrap(),
        &body,
    )
    .await;
    assert_eq!(winners(&statuses), 1, "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_of_one_token_have_exactly_one_winner() {
    let state = Arc::new(fresh_state().await);
    let r = register(
        &state.store,
        ClientSpec {
            workspace: "default".into(),
            name: "racer".into(),
            grant_types: vec!["password".into(), "refresh_token".into()],
            ..Default::default()
        },
    )
    .await;
    add_user(&state.store, "default", "erin", "correct horse").await;
    let (id, secret) = (r.client.client_id.clone(), r.client_secret.clone().unwrap());
    let first = post(
        &state,
        Some((&id, &secret)),
        "grant_type=password&username=erin&password=correct+horse",
    )
    .await;
    let refresh = first.json["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    let body = format!("grant_type=refresh_token&refresh_token={refresh}");
    let statuses = race(&state, &id, &secret, &body).await;
    assert_eq!(winners(&statuses), 1, "{statuses:?}");
}
