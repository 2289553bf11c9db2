//! The applications page (`/{workspace}/oauth2/apps`) through the authorize function's
//! handler: only a signed-in developer gets it; it lists, creates, changes, rotates and deletes
//! the developer's own applications, with the login page's rules (CSRF, CSP, escaping, 303).

use oauth_core::protocol::user::Role;
use oauth_core::service::admin::{self, UserAction};
use oauth_core::AppState;
use oauth_tests::browser::*;
use oauth_tests::call::post_to;
use oauth_tests::*;

const APPS: &str = "/acme/oauth2/apps";

fn state() -> AppState {
    let mut s = authorization_state();
    s.settings.scopes_supported = vec!["read".into(), "write".into()];
    s
}

async fn person(state: &AppState, username: &str, developer: bool) {
    add_user(&state.store, "acme", username, "correct horse").await;
    if developer {
        let iterations = state.settings.pbkdf2_iterations;
        let roles = UserAction::SetRoles(vec![Role::Developer]);
        let users = &*state.store.users;
        admin::change_user(users, iterations, ("acme", username), &roles)
            .await
            .unwrap();
    }
}

/// A browser signed in to the applications page as `username`.
async fn signed_in(state: &AppState, username: &str) -> Browser {
    let mut b = Browser::default();
    let login = b.get(state, APPS).await;
    assert_eq!(login.status, 200);
    assert!(
        login.body.contains(&format!(r#"action="{APPS}""#)),
        "{}",
        login.body
    );
    assert_protected_html(&login);
    let tokens = login.form_tokens();
    let form = format!("step=login&{tokens}&username={username}&password=correct+horse");
    let done = b.post(state, APPS, &form).await;
    assert_eq!((done.status, done.location()), (303, APPS), "{}", done.body);
    b
}

async fn submit(b: &mut Browser, state: &AppState, fields: &str) -> Page {
    let page = b.get(state, APPS).await;
    let tokens = page.form_tokens();
    b.post(state, APPS, &format!("{tokens}&{fields}")).await
}

const NEW_APP: &str = "step=create&name=Photo+%3Cb%3EPrints%3C%2Fb%3E&redirect_uris=https%3A%2F%2Fapp.example%2Fcb&grant.authorization_code=on&grant.refresh_token=on&grant.client_credentials=on&grant.password=on&scope.read=on&type=confidential";

/// The client id and secret the page shows once after a change.
fn shown_secret(page: &Page) -> Option<String> {
    let start = page.body.find(r#"<code id="new-secret">"#)? + r#"<code id="new-secret">"#.len();
    Some(page.body[start..].split('<').next()?.to_owned())
}

#[tokio::test]
async fn a_developer_creates_an_application_and_sees_its_secret_once() {
    let state = state();
    person(&state, "dev", true).await;
    let mut b = signed_in(&state, "dev").await;
    let empty = b.get(&state, APPS).await;
    assert_eq!(empty.status, 200);
    assert_protected_html(&empty);
    assert!(empty.body.contains("New application"));

    let created = submit(&mut b, &state, NEW_APP).await;
    assert_eq!(
        (created.status, created.location()),
        (303, APPS),
        "{}",
        created.body
    );
    let shown = b.get(&state, APPS).await;
    let secret = shown_secret(&shown).expect("the secret, once");
    assert!(
        shown.body.contains("Photo &#60;b&#62;Prints")
            || shown.body.contains("Photo &lt;b&gt;Prints")
    );
    assert!(!shown.body.contains("<b>Prints"), "escaped");
    let again = b.get(&state, APPS).await;
    assert_eq!(shown_secret(&again), None, "shown once");

    let dev = state
        .store
        .users
        .user("acme", "dev")
        .await
        .unwrap()
        .unwrap();
    let mine = state.store.clients.clients("acme").await.unwrap();
    assert_eq!(mine.len(), 1);
    let app = &mine[0];
    assert_eq!(app.owner.as_deref(), Some(dev.sub.as_str()));
    assert!(app.policy.require_pkce && !app.policy.first_party);
    assert_eq!(app.scopes.to_wire(), "read");
    let grants: Vec<&str> = app.grant_types.iter().map(|g| g.as_str()).collect();
    assert_eq!(
        grants,
        ["authorization_code", "refresh_token"],
        "no client credentials, no password here"
    );
    assert_eq!(authenticates(&state, &app.client_id, &secret).await, 200);
}

/// Whether `secret` authenticates the client: the revocation endpoint answers 200 to any
/// token from its own client, 401 to a wrong secret.
async fn authenticates(state: &AppState, id: &str, secret: &str) -> u16 {
    post_to(
        state,
        "/acme/oauth2/revoke",
        Some((id, secret)),
        "token=unknown",
    )
    .await
    .status
}

#[tokio::test]
async fn changes_rotation_and_deletion_of_ones_own_applications_only() {
    let state = state();
    person(&state, "dev", true).await;
    person(&state, "other", true).await;
    let mut b = signed_in(&state, "dev").await;
    submit(&mut b, &state, NEW_APP).await;
    let first = shown_secret(&b.get(&state, APPS).await).unwrap();
    let id = state.store.clients.clients("acme").await.unwrap()[0]
        .client_id
        .clone();

    // The operator's settings beyond the page's (here a token lifetime) survive a save.
    let ttl = |s: &mut oauth_core::service::admin::ClientSpec| s.policy.access_token_ttl = Some(60);
    admin::update_client(&*state.store.clients, "acme", &id, ttl)
        .await
        .unwrap();
    let rename = format!("step=update&client_id={id}&name=Renamed&redirect_uris=https%3A%2F%2Fapp.example%2Fcb2&grant.authorization_code=on&scope.read=on&scope.write=on");
    assert_eq!(submit(&mut b, &state, &rename).await.status, 303);
    let app = state
        .store
        .clients
        .client("acme", &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (app.name.as_str(), app.scopes.to_wire()),
        ("Renamed", "read write".into())
    );
    assert_eq!(app.redirect_uris, ["https://app.example/cb2"]);
    assert_eq!(
        app.policy.access_token_ttl,
        Some(60),
        "the operator's setting stays"
    );

    let mut intruder = signed_in(&state, "other").await;
    for step in ["update", "delete", "rotate"] {
        let attempt = format!("step={step}&client_id={id}&name=Mine&grant.authorization_code=on&redirect_uris=https%3A%2F%2Fevil.example%2Fcb");
        let r = submit(&mut intruder, &state, &attempt).await;
        assert_eq!(r.status, 400, "{step}");
        assert!(r.body.contains("no such application"), "{step}");
    }
    assert!(
        !intruder.get(&state, APPS).await.body.contains(&id),
        "not listed to another developer"
    );
    assert_eq!(
        state
            .store
            .clients
            .client("acme", &id)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Renamed"
    );

    assert_eq!(
        submit(&mut b, &state, &format!("step=rotate&client_id={id}"))
            .await
            .status,
        303
    );
    let second = shown_secret(&b.get(&state, APPS).await).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        authenticates(&state, &id, &first).await,
        401,
        "the old secret stops working"
    );
    assert_eq!(authenticates(&state, &id, &second).await, 200);

    assert_eq!(
        submit(&mut b, &state, &format!("step=delete&client_id={id}"))
            .await
            .status,
        303
    );
    assert!(state
        .store
        .clients
        .client("acme", &id)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn bad_input_forged_forms_and_other_users_change_nothing() {
    let state = state();
    person(&state, "dev", true).await;
    person(&state, "user", false).await;
    let operators = web_app(&state, |s| s.workspace = "acme".into()).await;
    let mut b = signed_in(&state, "dev").await;
    let listed = b.get(&state, APPS).await;
    assert!(
        !listed.body.contains(&operators.client.client_id),
        "only one's own"
    );

    for (fields, why) in [
        (
            NEW_APP.replace("https%3A%2F%2Fapp", "http%3A%2F%2Fapp"),
            "plain http",
        ),
        (
            NEW_APP.replace(
                "&grant.authorization_code=on&grant.refresh_token=on&grant.client_credentials=on",
                "",
            ),
            "no grant",
        ),
        (
            NEW_APP.replace("scope.read", "scope.admin"),
            "an unoffered scope is ignored, so this one passes",
        ),
    ] {
        let r = submit(&mut b, &state, &fields).await;
        if why.ends_with("passes") {
            assert_eq!(r.status, 303, "{why}");
            continue;
        }
        assert_eq!(r.status, 400, "{why}: {}", r.body);
        assert!(r.body.contains("role=\"alert\""), "{why}");
    }
    let forged = b
        .post(&state, APPS, &format!("csrf=forged&{NEW_APP}"))
        .await;
    assert!(forged.body.contains("The form expired"));
    let count = state.store.clients.clients("acme").await.unwrap().len();
    assert_eq!(count, 2, "the operator's client and the one valid creation");

    let mut plain = signed_in(&state, "user").await;
    let refused = plain.get(&state, APPS).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("developer role"));
    let posted = submit_without_page(&mut plain, &state).await;
    assert_eq!(posted.status, 403);
    assert_eq!(
        state.store.clients.clients("acme").await.unwrap().len(),
        count
    );
}

/// A non-developer cannot even load the page for a CSRF token: post with the cookie's.
async fn submit_without_page(b: &mut Browser, state: &AppState) -> Page {
    let csrf = b
        .cookies
        .get("__Host-oauth-csrf")
        .cloned()
        .unwrap_or_default();
    b.post(state, APPS, &format!("csrf={csrf}&{NEW_APP}")).await
}

/// The page offers only grants the deployment offers (`GRANT_TYPES`), as registration does.
#[tokio::test]
async fn only_the_deployments_grants_are_offered() {
    let mut state = state();
    state.settings.deployment = oauth_core::protocol::deployment::Deployment::parse(
        Some("authorization_code refresh_token"),
        false,
    )
    .unwrap();
    person(&state, "dev", true).await;
    let mut b = signed_in(&state, "dev").await;
    let page = b.get(&state, APPS).await;
    assert!(page.body.contains("grant.refresh_token") && !page.body.contains("grant.implicit"));
    let asked = NEW_APP.replace("grant.refresh_token=on", "grant.implicit=on");
    assert_eq!(submit(&mut b, &state, &asked).await.status, 303);
    let app = &state.store.clients.clients("acme").await.unwrap()[0];
    let grants: Vec<&str> = app.grant_types.iter().map(|g| g.as_str()).collect();
    assert_eq!(
        grants,
        ["authorization_code"],
        "implicit is not offered here"
    );
}

/// "Create" sent twice (a double click, or the Back button and Create again): one
/// application; the repeat lands on the list.
#[tokio::test]
async fn a_create_form_sent_twice_creates_one_application() {
    let state = state();
    person(&state, "dev", true).await;
    let mut b = signed_in(&state, "dev").await;
    let page = b.get(&state, APPS).await;
    let form = format!("{}&{NEW_APP}", page.form_tokens());
    let first = b.post(&state, APPS, &form).await;
    let repeat = b.post(&state, APPS, &form).await;
    assert_eq!((first.status, repeat.status), (303, 303));
    assert_eq!(repeat.location(), APPS);
    let apps = state.store.clients.clients("acme").await.unwrap();
    assert_eq!(apps.len(), 1, "one application");
}

/// The applications page follows the browser's language too.
#[tokio::test]
async fn the_applications_page_speaks_french_to_a_french_browser() {
    let state = state();
    person(&state, "dev", true).await;
    let mut b = signed_in(&state, "dev").await;
    b.languages = Some("fr-FR,fr;q=0.9".into());
    let page = b.get(&state, APPS).await;
    assert!(page.body.contains(r#"<html lang="fr">"#));
    for words in [
        "Nouvelle application",
        "Confidentielle",
        "Créer",
        "enregistrées par",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert!(!page.body.contains("New application"));
}
