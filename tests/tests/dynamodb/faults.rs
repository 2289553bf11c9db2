//! A DynamoDB that hangs, stalls, throttles, fails or drops connections, through the strict
//! harness: every request gets an answer (a JSON 503 `temporarily_unavailable` with
//! `Retry-After` when DynamoDB cannot be reached in time), never a hang; a fault the retries
//! absorb is not seen at all.

use oauth_core::store::dynamo::{DynamoStore, Limits};
use oauth_core::AppState;
use oauth_tests::browser::{authorize_url, Browser};
use oauth_tests::call::post;
use oauth_tests::fixtures::*;
use oauth_tests::harness::{Fault, FaultKind, Trigger};
use oauth_tests::*;
use std::time::Duration;

/// A request that must be answered: the guard fails the test instead of hanging it.
async fn answered<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("answered, not hung")
}

fn assert_503(reply: &oauth_tests::call::Reply) {
    assert_eq!(reply.status, 503, "{}", reply.json);
    assert_eq!(reply.error(), "temporarily_unavailable");
    assert!(reply.json["error_description"].is_string());
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn a_dynamodb_that_never_answers_gets_a_503_not_a_hang() {
    let (state, harness, _) = harnessed_state().await;
    let r = register(&state.store, spec(&["client_credentials"])).await;
    harness.fault(Fault::new(Trigger::Always, FaultKind::Hang));
    let reply = answered(post(
        &state,
        Some(creds(&r)),
        "grant_type=client_credentials",
    ))
    .await;
    assert_503(&reply);
}

#[tokio::test]
async fn slow_answers_beyond_the_attempt_timeout_get_a_503() {
    let (state, harness, _) = harnessed_state().await;
    let r = register(&state.store, spec(&["client_credentials"])).await;
    let slow = FaultKind::Latency(Duration::from_secs(5));
    harness.fault(Fault::new(Trigger::Always, slow));
    assert_503(
        &answered(post(
            &state,
            Some(creds(&r)),
            "grant_type=client_credentials",
        ))
        .await,
    );
}

#[tokio::test]
async fn throttling_faults_or_resets_that_outlast_the_retries_are_a_503() {
    for kind in [
        FaultKind::Throttling,
        FaultKind::ProvisionedThroughputExceeded,
        FaultKind::InternalError,
        FaultKind::Reset,
    ] {
        let (state, harness, _) = harnessed_state().await;
        let r = register(&state.store, spec(&["client_credentials"])).await;
        harness.fault(Fault::new(Trigger::Operation("PutItem"), kind));
        let cc = "grant_type=client_credentials";
        assert_503(&answered(post(&state, Some(creds(&r)), cc)).await);
    }
}

#[tokio::test]
async fn a_reset_or_a_throttle_the_retries_absorb_is_not_seen() {
    for kind in [
        FaultKind::Reset,
        FaultKind::Throttling,
        FaultKind::InternalError,
    ] {
        let (state, harness, _) = harnessed_state().await;
        let r = register(&state.store, spec(&["client_credentials"])).await;
        harness.fault(Fault::new(Trigger::Call(1), kind).times(1));
        let reply = answered(post(
            &state,
            Some(creds(&r)),
            "grant_type=client_credentials",
        ))
        .await;
        assert_eq!(reply.status, 200, "{kind:?}: {}", reply.json);
        let calls = harness.take_calls();
        assert!(
            calls.len() >= 3,
            "{kind:?}: the failed call was tried again: {calls:?}"
        );
    }
}

#[tokio::test]
async fn the_authorization_endpoint_answers_a_503_page() {
    let (state, harness, _) = harnessed_state().await;
    let r = register(&state.store, spec(&["authorization_code"])).await;
    harness.fault(Fault::new(Trigger::Always, FaultKind::Hang));
    let url = authorize_url(&r.client.client_id, "");
    let page = answered(Browser::default().get(&state, &url)).await;
    assert_eq!(page.status, 503);
    assert_eq!(page.header("retry-after"), Some("1"));
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
}

/// The functions' own DynamoDB client (built as `DynamoStore::connect` builds it) gives up on
/// a DynamoDB that never answers: a store call fails as unavailable instead of waiting.
#[tokio::test]
async fn the_functions_dynamodb_client_gives_up_on_a_hang() {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let harness = oauth_tests::harness::Harness::start(dynamodb_local().endpoint());
    harness.fault(Fault::new(Trigger::Always, FaultKind::Hang));
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(&harness.endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "local"));
    let store = DynamoStore::connect_with(
        loader,
        oauth_core::store::dynamo::schema::TableNames::local(),
        oauth_core::store::dynamo::CaRoots::Amazon,
        Limits::default(),
    )
    .await;
    let read = answered(oauth_core::store::ClientStore::client(
        &store, "default", "c",
    ))
    .await;
    assert!(
        matches!(read, Err(oauth_core::store::StoreError::Unavailable(_))),
        "{read:?}"
    );
}

/// Whatever the DynamoDB client would wait, a request is answered by `REQUEST_DEADLINE_MS`.
#[tokio::test]
async fn the_request_deadline_answers_when_dynamodb_would_wait_longer() {
    let harness = oauth_tests::harness::Harness::start(dynamodb_local().endpoint());
    let patient = Limits {
        attempt_ms: 120_000,
        operation_ms: 120_000,
        max_attempts: 1,
    };
    let direct = fresh_dynamo().await;
    let through = DynamoStore::new(
        local_stack::local_client_within(&harness.endpoint, patient),
        direct.tables().clone(),
    );
    let settings = oauth_core::Settings {
        request_deadline_ms: 500,
        ..test_settings()
    };
    let state = AppState::new(
        oauth_core::store::Stores::new(std::sync::Arc::new(through)),
        settings,
        std::sync::Arc::new(oauth_core::clock::SystemClock),
    );
    let r = register(
        &state.store,
        spec(&["client_credentials", "authorization_code"]),
    )
    .await;
    harness.fault(Fault::new(Trigger::Always, FaultKind::Hang));
    let cc = "grant_type=client_credentials";
    assert_503(&answered(post(&state, Some(creds(&r)), cc)).await);
    let url = authorize_url(&r.client.client_id, &format!("&redirect_uri={CB}"));
    let page = answered(Browser::default().get(&state, &url)).await;
    assert_eq!(page.status, 503, "the authorization endpoint");
    let value = oauth_core::protocol::token_value::TokenName {
        client_id: r.client.client_id.clone(),
        sub: None,
        grant_id: None,
    }
    .value(&oauth_core::crypto::new_secret());
    let event = oauth_tests::call::authorizer_event(Some(&format!("Bearer {value}")));
    let verdict = answered(oauth_core::http::authorizer::authorize(
        &state, "default", &event,
    ))
    .await;
    assert!(
        verdict.is_err(),
        "the authorizer fails (API Gateway answers 500), it does not hang: {verdict:?}"
    );
}

#[tokio::test]
async fn the_warm_up_in_init_gives_up_quickly() {
    let harness = oauth_tests::harness::Harness::start(dynamodb_local().endpoint());
    harness.fault(Fault::new(Trigger::Always, FaultKind::Hang));
    // Limits far longer than the guard: only the warm-up's own timeout can end it in time.
    let patient = Limits {
        attempt_ms: 120_000,
        operation_ms: 120_000,
        max_attempts: 1,
    };
    let client = local_stack::local_client_within(&harness.endpoint, patient);
    let dynamo = DynamoStore::new(
        client,
        oauth_core::store::dynamo::schema::TableNames::local(),
    );
    let settings = oauth_core::Settings {
        warm_up_timeout_ms: 500,
        ..test_settings()
    };
    let state = answered(AppState::start(dynamo, settings, None)).await;
    assert_eq!(state.settings.warm_up_timeout_ms, 500);
    assert!(
        !harness.take_calls().is_empty(),
        "the warm-up read was sent"
    );
}

/// A sign-in whose storage fails after its form was spent gives the form back: the person's
/// retry of the same form is acted on, not read as a repeat.
#[tokio::test]
async fn a_form_whose_action_failed_can_be_sent_again() {
    let (mut state, harness, _) = harnessed_state().await;
    state.settings.issuer = Some(oauth_tests::browser::ISSUER.into());
    let r = oauth_tests::browser::web_app(&state, |_| {}).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = answered(b.get(&state, &url)).await;
    assert_eq!(login.status, 200, "{}", login.body);
    // The login's confirmation (a transaction) fails, past the retries.
    harness.fault(Fault::new(
        Trigger::Operation("TransactWriteItems"),
        FaultKind::InternalError,
    ));
    let failed = answered(oauth_tests::browser::log_in(
        &mut b,
        &state,
        &url,
        &login,
        "correct+horse",
    ))
    .await;
    assert!(failed.status >= 500, "{}: {}", failed.status, failed.body);
    harness.reset();
    let retried = answered(oauth_tests::browser::log_in(
        &mut b,
        &state,
        &url,
        &login,
        "correct+horse",
    ))
    .await;
    assert_eq!(
        retried.status, 303,
        "signed in by the retry: {}",
        retried.body
    );
}

/// Branding never stands between a person and signing in: when the workspace's settings
/// cannot be read, the pages show the defaults and the flow goes on.
#[tokio::test]
async fn a_failed_branding_read_shows_the_defaults_and_signs_in() {
    let (mut state, harness, _) = harnessed_state().await;
    state.settings.issuer = Some(oauth_tests::browser::ISSUER.into());
    let r = oauth_tests::browser::web_app(&state, |_| {}).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    harness.fault(Fault::new(
        Trigger::Operation("Query"),
        FaultKind::InternalError,
    ));
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = answered(b.get(&state, &url)).await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert!(login.body.contains("<title>auth.example · Sign in"));
    let done = answered(oauth_tests::browser::log_in(
        &mut b,
        &state,
        &url,
        &login,
        "correct+horse",
    ))
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
}
