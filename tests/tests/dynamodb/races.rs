//! Races against DynamoDB Local: any number of concurrent uses of one code or one refresh
//! token, exactly one winner.

use oauth_core::protocol::client::ClientPolicy;
use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::protocol::pkce::Method;
use oauth_core::protocol::scope::Scopes;
use oauth_core::service::admin::ClientSpec;
use oauth_tests::call::post;
use oauth_tests::fixtures::{CHALLENGE, VERIFIER};
use oauth_tests::*;
use std::sync::Arc;

const N: usize = 16;

/// Sends `body` N times at once; returns the statuses and bodies.
async fn race(
    state: &Arc<oauth_core::AppState>,
    id: &str,
    secret: &str,
    body: &str,
) -> Vec<(u16, serde_json::Value)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(N));
    let tasks: Vec<_> = (0..N)
        .map(|_| {
            let (state, barrier) = (state.clone(), barrier.clone());
            let (id, secret, body) = (id.to_owned(), secret.to_owned(), body.to_owned());
            tokio::spawn(async move {
                barrier.wait().await;
                let r = post(&state, Some((&id, &secret)), &body).await;
                (r.status, r.json)
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    statuses
}

/// The one 200 answer; every other answer must be a 400.
fn winner(replies: &[(u16, serde_json::Value)]) -> &serde_json::Value {
    let statuses: Vec<u16> = replies.iter().map(|(s, _)| *s).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 400),
        "{statuses:?}"
    );
    let won: Vec<_> = replies.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(won.len(), 1, "{statuses:?}");
    &won[0].1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redemptions_of_one_code_have_exactly_one_winner() {
    let state = Arc::new(dynamo_state().await.0);
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
            user_generation: 0,
            audience: vec![],
            nonce: None,
            auth_time: 0,
        },
    )
    .await;
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=https://app.example/cb&code_verifier={VERIFIER}"
    );
    let replies = race(
        &state,
        &r.client.client_id,
        r.client_secret.as_deref().unwrap(),
        &body,
    )
    .await;
    let access = winner(&replies)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Every loser used the code a second time, which revokes what the winner got.
    let kept = state.store.tokens.token("default", &access).await.unwrap();
    assert!(
        kept.is_none(),
        "the winner's token is revoked by the second uses"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_of_one_token_have_exactly_one_winner() {
    let state = Arc::new(dynamo_state().await.0);
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
    let replies = race(&state, &id, &secret, &body).await;
    let next = winner(&replies)["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The losers presented a rotated token: the family, the winner's new token included, is gone.
    let after = post(
        &state,
        Some((&id, &secret)),
        &format!("grant_type=refresh_token&refresh_token={next}"),
    )
    .await;
    assert_eq!(after.error(), "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_grace_retries_of_one_rotated_token_have_exactly_one_winner() {
    let state = Arc::new(dynamo_state().await.0);
    let r = register(
        &state.store,
        ClientSpec {
            workspace: "default".into(),
            name: "racer".into(),
            grant_types: vec!["password".into(), "refresh_token".into()],
            policy: ClientPolicy {
                refresh_grace: 300,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    add_user(&state.store, "default", "fay", "correct horse").await;
    let (id, secret) = (r.client.client_id.clone(), r.client_secret.clone().unwrap());
    let login = "grant_type=password&username=fay&password=correct+horse";
    let first = post(&state, Some((&id, &secret)), login).await;
    let refresh = first.json["refresh_token"].as_str().unwrap().to_owned();
    let body = format!("grant_type=refresh_token&refresh_token={refresh}");
    let rotated = post(&state, Some((&id, &secret)), &body).await;
    assert_eq!(rotated.status, 200);
    // The grace window allows one retry, also when many arrive at once.
    let replies = race(&state, &id, &secret, &body).await;
    winner(&replies);
}
