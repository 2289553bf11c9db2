//! The password grant (RFC 6749 §4.3) and the lockout, on the in-memory store; oversized
//! identifiers refused without a server error.

use oauth_core::service::admin::{ClientSpec, Registered};
use oauth_tests::call::{self, form_post, post};
use oauth_tests::fixtures::*;
use oauth_tests::*;

#[tokio::test]
async fn oversized_identifiers_are_refused_without_a_server_error() {
    let state = memory_state();
    let r = register(&state.store, spec(&["password"])).await;
    let long = "x".repeat(2000);
    let by_body = post(
        &state,
        None,
        &format!("grant_type=client_credentials&client_id={long}&client_secret=s"),
    )
    .await;
    assert_eq!((by_body.status, by_body.error()), (401, "invalid_client"));
    let by_basic = post(&state, Some((&long, "s")), "grant_type=client_credentials").await;
    assert_eq!((by_basic.status, by_basic.error()), (401, "invalid_client"));
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    let user = post(
        &state,
        Some(auth),
        &format!("grant_type=password&username={long}&password=x"),
    )
    .await;
    assert_eq!((user.status, user.error()), (400, "invalid_grant"));
    let bearer = call::token(
        &state,
        form_post(
            "/oauth2/token",
            Some("Bearer abc"),
            "grant_type=client_credentials",
        ),
    )
    .await;
    assert_eq!(bearer.status, 401);
    assert!(
        bearer
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Basic")),
        "RFC 6749 §5.2"
    );
}

#[tokio::test]
async fn password_grant_and_lockout() {
    let mut state = memory_state();
    state.settings.lockout_threshold = 3;
    let r = register(
        &state.store,
        ClientSpec {
            redirect_uris: vec![],
            ..spec(&["password", "refresh_token"])
        },
    )
    .await;
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    add_user(&state.store, "default", "bob", "correct horse").await;
    let login = |pw: &str| format!("grant_type=password&username=bob&password={pw}&scope=*");

    let ok = post(&state, Some(auth), &login("correct+horse")).await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert!(ok.json["refresh_token"].is_string());
    assert_eq!(ok.json["scope"], "read write");

    let wrong = post(&state, Some(auth), &login("wrong")).await;
    let unknown = post(
        &state,
        Some(auth),
        "grant_type=password&username=nobody&password=wrong",
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.json, unknown.json,
        "the answer does not reveal whether the user exists"
    );

    for _ in 0..2 {
        post(&state, Some(auth), &login("wrong")).await;
    }
    let locked = post(&state, Some(auth), &login("correct+horse")).await;
    assert_eq!(
        (locked.status, locked.error()),
        (400, "invalid_grant"),
        "locked after 3 failures"
    );
    let said = |r: &call::Reply| r.json["error_description"].as_str().unwrap().to_owned();
    assert!(!said(&wrong).contains("lock"), "{}", said(&wrong));
    assert!(
        said(&locked).contains("locked") && said(&locked).contains("try again in 900 seconds"),
        "the right password is told of the lock: {}",
        said(&locked)
    );
    let attempts = attempts_of(&state, "bob").await;
    assert!(attempts.blocked_until > now(), "the pair is blocked");
}

/// A password grant for bob from `source`.
async fn attempt(
    state: &oauth_core::AppState,
    r: &Registered,
    source: &str,
    pw: &str,
) -> call::Reply {
    let body = format!("grant_type=password&username=bob&password={pw}");
    let basic = call::basic(&r.client.client_id, r.client_secret.as_deref().unwrap());
    call::token(
        state,
        call::from(source, form_post("/oauth2/token", Some(&basic), &body)),
    )
    .await
}

#[tokio::test]
async fn a_guesser_locks_out_only_its_own_source_and_is_refused_before_hashing() {
    let (state, clock) = memory_state_with_clock();
    let r = register(&state.store, spec(&["password"])).await;
    add_user(&state.store, "default", "bob", "correct horse").await;
    let hashes = oauth_core::crypto::hashes_on_this_thread;
    let first_wrong = attempt(&state, &r, "203.0.113.66", "guess").await;
    assert_eq!(first_wrong.error(), "invalid_grant");
    clock.advance(10);
    for _ in 0..4 {
        let before = hashes();
        let wrong = attempt(&state, &r, "203.0.113.66", "guess").await;
        assert_eq!(wrong.json, first_wrong.json);
        assert_eq!(hashes() - before, 1, "an admitted attempt is hashed once");
        clock.advance(10);
    }
    // The lock still checks 3 more attempts (counted, the lock keeping its end), to tell the owner of the
    // right password; a guess reads as any wrong password.
    for _ in 0..3 {
        let before = hashes();
        let guess = attempt(&state, &r, "203.0.113.66", "guess").await;
        assert_eq!(guess.json, first_wrong.json, "a guess during the lock");
        assert_eq!(hashes() - before, 1);
    }
    let before = hashes();
    let refused = attempt(&state, &r, "203.0.113.66", "correct+horse").await;
    assert_eq!(
        refused.json, first_wrong.json,
        "the lock's checks are spent: even the right password reads as wrong"
    );
    assert_eq!(hashes(), before, "refused before any hashing");
    let owner = attempt(&state, &r, "198.51.100.7", "correct+horse").await;
    assert_eq!(
        owner.status, 200,
        "the owner, elsewhere, is not locked out: {}",
        owner.json
    );
    let before = hashes();
    let unknown = attempt(&state, &r, "198.51.100.7", "whatever").await;
    let body = "grant_type=password&username=nobody&password=x";
    let basic = call::basic(&r.client.client_id, r.client_secret.as_deref().unwrap());
    let nobody = call::token(
        &state,
        call::from(
            "198.51.100.7",
            form_post("/oauth2/token", Some(&basic), body),
        ),
    )
    .await;
    assert_eq!(
        hashes() - before,
        2,
        "an unknown user costs the same hashing as a wrong password"
    );
    assert_eq!(unknown.json, nobody.json, "and reads the same");
}

#[tokio::test]
async fn failures_make_a_source_wait_longer_each_time() {
    let (state, clock) = memory_state_with_clock();
    let r = register(&state.store, spec(&["password"])).await;
    add_user(&state.store, "default", "bob", "correct horse").await;
    for _ in 0..3 {
        attempt(&state, &r, "203.0.113.5", "guess").await;
    }
    let waiting = attempt(&state, &r, "203.0.113.5", "correct+horse").await;
    assert_eq!(
        waiting.error(),
        "invalid_grant",
        "within the wait, even the right password"
    );
    assert_eq!(
        waiting.json["error_description"],
        "too many failed attempts in a row: try again in 1 s"
    );
    clock.advance(1);
    let later = attempt(&state, &r, "203.0.113.5", "correct+horse").await;
    assert_eq!(later.status, 200, "after the wait: {}", later.json);
}
