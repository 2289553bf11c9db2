//! Safe repeats: every form of the pages is sent once (a single-use form id beside the CSRF
//! token), so a double click or a Back-button resubmit never counts a failure twice, never
//! issues a second code, never creates a second application, and lands on a page that says
//! what happened.

use oauth_core::clock::ManualClock;
use oauth_core::store::memory::MemoryStore;
use oauth_core::store::Stores;
use oauth_core::AppState;
use oauth_tests::browser::*;
use oauth_tests::fixtures::CB;
use oauth_tests::*;
use std::sync::Arc;

fn state_on(store: &Arc<MemoryStore>, clock: Arc<ManualClock>) -> AppState {
    let mut s = AppState::new(Stores::new(store.clone()), test_settings(), clock);
    s.settings.issuer = Some(ISSUER.into());
    s
}

/// A second browser that sends what `b` would send now: the twin of a double click, whose
/// second request leaves before the first one's answer (and its cookies) arrives.
fn twin(b: &Browser) -> Browser {
    Browser {
        cookies: b.cookies.clone(),
        accept: b.accept.clone(),
        languages: b.languages.clone(),
    }
}

fn alert(p: &Page) -> &str {
    p.body
        .split("role=\"alert\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, text)| text.split('<').next())
        .unwrap_or("")
}

async fn failures(state: &AppState) -> u32 {
    attempts_of(state, "alice").await.failures
}

#[tokio::test]
async fn a_login_form_sent_twice_counts_once_and_signs_in_once() {
    let state = authorization_state();
    let r = web_app(&state, |_| {}).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;

    // A double click on "Sign in" with a typo: one failure.
    let mut second = twin(&b);
    let wrong = log_in(&mut b, &state, &url, &login, "nope").await;
    assert_eq!(
        alert(&wrong),
        "That username and password did not work. Try again."
    );
    let again = log_in(&mut second, &state, &url, &login, "nope").await;
    assert_eq!(failures(&state).await, 1, "the repeat was not counted");
    assert_eq!(again.status, 200);
    assert!(
        alert(&again).contains("already sent once"),
        "{}",
        again.body
    );
    assert_ne!(again.field("form"), login.field("form"), "a fresh form");

    // A double click with the right password: the first signs in; the repeat, sent before
    // the session cookie came back, says so; with the cookie it leads on like the first.
    let mut second = twin(&b);
    let signed_in = log_in(&mut b, &state, &url, &wrong, "correct+horse").await;
    assert_eq!(
        (signed_in.status, signed_in.location()),
        (303, url.as_str())
    );
    let repeat = log_in(&mut second, &state, &url, &wrong, "correct+horse").await;
    assert_eq!(repeat.status, 200);
    assert!(repeat
        .set_cookies()
        .iter()
        .all(|c| !c.contains("oauth-session")));
    let back_button = log_in(&mut b, &state, &url, &wrong, "correct+horse").await;
    assert_eq!(
        (back_button.status, back_button.location()),
        (303, url.as_str())
    );
    assert!(back_button
        .set_cookies()
        .iter()
        .all(|c| !c.contains("oauth-session")));
}

#[tokio::test]
async fn an_allow_sent_twice_issues_one_code_and_the_back_button_none() {
    let (state, store) = memory();
    let mut state = state;
    state.settings.issuer = Some(ISSUER.into());
    let r = web_app(&state, |_| {}).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "&scope=read");
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    log_in(&mut b, &state, &url, &login, "correct+horse").await;
    let page = b.get(&state, &url).await;
    assert!(page.body.contains("Allow access?"));

    let mut second = twin(&b);
    let allowed = consent(&mut b, &state, &url, &page, "allow").await;
    assert_eq!(allowed.status, 303);
    assert!(allowed.location().starts_with(CB), "{}", allowed.location());
    let held = store.item_count();
    let repeat = consent(&mut second, &state, &url, &page, "allow").await;
    assert_eq!(repeat.status, 200, "no second redirect, so no second code");
    assert!(repeat.header("location").is_none());
    assert!(repeat.body.contains("Already answered"), "{}", repeat.body);
    assert_eq!(
        store.item_count(),
        held,
        "nothing written: no code, no consent"
    );
    assert_protected_html(&repeat);

    // The Back button, later: the old consent form again.
    let later = consent(&mut b, &state, &url, &page, "allow").await;
    assert_eq!(later.status, 200);
    assert_eq!(store.item_count(), held);
    // Its link runs the request again: a new authorization, with a new code.
    let link = later
        .body
        .split("class=\"button\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&#38;", "&");
    assert_eq!(link, url);
    let code_of = |location: &str| params_of(location, '?')["code"].clone();
    let fresh = b.get(&state, &link).await;
    assert_eq!(fresh.status, 302, "the consent is remembered");
    assert_ne!(code_of(fresh.location()), code_of(allowed.location()));
}

#[tokio::test]
async fn a_form_older_than_an_hour_is_shown_again_and_does_nothing() {
    let store = Arc::new(MemoryStore::default());
    let clock = Arc::new(ManualClock::new());
    let state = state_on(&store, clock.clone());
    let r = web_app(&state, |_| {}).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    clock.advance(3601);
    let stale = log_in(&mut b, &state, &url, &login, "nope").await;
    assert_eq!(stale.status, 400);
    assert_eq!(alert(&stale), "The form expired. Sign in again.");
    assert_eq!(failures(&state).await, 0, "not even a failure is counted");
    let forged = {
        let tokens = login.form_tokens();
        let csrf = tokens.split('&').next().unwrap();
        b.post(
            &state,
            &url,
            &format!("step=login&{csrf}&form=x&username=alice&password=nope"),
        )
        .await
    };
    assert_eq!(
        (forged.status, failures(&state).await),
        (400, 0),
        "a malformed form id"
    );
    let fresh = log_in(&mut b, &state, &url, &stale, "correct+horse").await;
    assert_eq!(fresh.status, 303, "the page shown again works");
}
