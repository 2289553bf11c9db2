//! The authorization endpoint's steps through the function's real handler on the in-memory
//! store, with a cookie-keeping browser: login, CSRF, lockout, session, consent, deny,
//! first-party clients, implicit, cookies, workspaces.

use oauth_core::protocol::client::ClientPolicy;
use oauth_core::protocol::pkce::Method;
use oauth_core::service::admin::ClientSpec;
use oauth_tests::browser::Page;
use oauth_tests::browser::*;
use oauth_tests::call::post;
use oauth_tests::fixtures::*;
use oauth_tests::*;

#[tokio::test]
async fn login_consent_code_and_exchange_with_the_pkce_challenge() {
    let state = authorization_state();
    let r = web_app(&state, |_| {}).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "&scope=read");
    let mut b = Browser::default();

    let login = b.get(&state, &url).await;
    assert_eq!(login.status, 200);
    assert_protected_html(&login);
    assert!(login.body.contains(r#"name="password" type="password""#));
    assert!(
        login.body.contains("Photo &#60;Prints&#62; &#38; Co")
            || login.body.contains("Photo &lt;Prints&gt; &amp; Co"),
        "client name is escaped"
    );
    assert!(!login.body.contains("<Prints>"));
    let csrf_cookie = login
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-oauth-csrf="))
        .expect("csrf cookie");
    assert!(
        csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("Secure"),
        "{csrf_cookie}"
    );

    let after_login = log_in(&mut b, &state, &url, &login, "correct+horse").await;
    assert_eq!(after_login.status, 303, "{}", after_login.body);
    assert_eq!(after_login.location(), url, "back to the same request");
    let session = after_login
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-oauth-session-default="))
        .expect("session cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attr), "{session} lacks {attr}");
    }

    let consent_page = b.get(&state, &url).await;
    assert_eq!(consent_page.status, 200);
    assert!(
        consent_page.body.contains("Allow access?")
            && consent_page.body.contains("<code>read</code>")
    );
    let done = consent(&mut b, &state, &url, &consent_page, "allow").await;
    assert_eq!(done.status, 303, "303 after POST");
    let q = params_of(done.location(), '?');
    assert!(done.location().starts_with(&format!("{CB}?code=")));
    assert_eq!((q["state"].as_str(), q["iss"].as_str()), ("xyz", ISSUER));

    let code = &q["code"];
    let stored = state
        .store
        .codes
        .code("default", code)
        .await
        .unwrap()
        .expect("code stored by digest");
    assert_eq!(stored.challenge, Some((Method::S256, CHALLENGE.into())));
    assert_eq!(
        stored.redirect_uri, None,
        "the request named no redirect_uri"
    );
    let ttl = stored.expires_at - now();
    assert!(
        (55..=60).contains(&ttl),
        "codes live 60 s by default, got {ttl}"
    );

    let secret = r.client_secret.as_deref().unwrap();
    let body = format!("grant_type=authorization_code&code={code}&code_verifier={VERIFIER}");
    let token = post(&state, Some((&r.client.client_id, secret)), &body).await;
    assert_eq!(token.status, 200, "{}", token.json);
    assert_eq!(token.json["scope"], "read");

    // Same browser again: the session skips the login, the remembered consent skips the page.
    let again = b.get(&state, &url).await;
    assert_eq!(again.status, 302, "{}", again.body);
    assert!(again.location().contains("code="));
    assert!(again.body.is_empty(), "seed 000's body stays on its path");

    // A wider scope than was consented to asks again.
    let wider = b
        .get(
            &state,
            &authorize_url(&r.client.client_id, "&scope=read+write"),
        )
        .await;
    assert!(wider.body.contains("Allow access?"));

    // prompt=login forces the login page despite the session.
    let forced = b.get(&state, &format!("{url}&prompt=login")).await;
    assert!(forced.body.contains("Sign in"), "{}", forced.body);
    let relog = log_in(
        &mut b,
        &state,
        &format!("{url}&prompt=login"),
        &forced,
        "correct+horse",
    )
    .await;
    assert_eq!(
        relog.location(),
        url,
        "after the forced login, prompt is dropped"
    );
}

#[tokio::test]
async fn wrong_credentials_lockout_and_csrf() {
    let mut state = authorization_state();
    state.settings.lockout_threshold = 3;
    let r = web_app(&state, |_| {}).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;

    let wrong = log_in(&mut b, &state, &url, &login, "nope").await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.body.contains("role=\"alert\""));
    let unknown = {
        let tokens = wrong.form_tokens();
        b.post(
            &state,
            &url,
            &format!("step=login&{tokens}&username=mallory&password=nope"),
        )
        .await
    };
    let message = |p: &Page| {
        p.body
            .split("role=\"alert\"")
            .nth(1)
            .and_then(|rest| rest.split_once('>'))
            .map(|(_, text)| text.split('<').next().unwrap_or_default())
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        message(&wrong),
        message(&unknown),
        "does not reveal which part was wrong"
    );
    assert!(wrong
        .set_cookies()
        .iter()
        .all(|c| !c.contains("oauth-session")));

    let forged = b
        .post(
            &state,
            &url,
            "step=login&csrf=forged&username=alice&password=correct+horse",
        )
        .await;
    assert_eq!(forged.status, 400, "CSRF token must match the cookie");
    assert!(forged
        .set_cookies()
        .iter()
        .all(|c| !c.contains("oauth-session")));
    let no_cookie = Browser::default()
        .post(
            &state,
            &url,
            &format!(
                "step=login&csrf={}&username=alice&password=correct+horse",
                login.field("csrf").unwrap()
            ),
        )
        .await;
    assert_eq!(
        no_cookie.status, 400,
        "a token without its cookie is refused"
    );

    let mut last = unknown.clone();
    for _ in 0..2 {
        last = log_in(&mut b, &state, &url, &last, "nope").await;
    }
    let locked = log_in(&mut b, &state, &url, &last, "correct+horse").await;
    assert_eq!(
        locked.status, 200,
        "locked after 3 failures: the form again"
    );
    assert!(
        !message(&wrong).contains("lock"),
        "a typo never mentions locking: {}",
        message(&wrong)
    );
    // Locked for 15 minutes (the default): told only because the password is right.
    assert_eq!(
        message(&locked),
        "Your password is right, but this account is locked after too many failed sign-ins \
         from here. Try again in 15 min."
    );
    let guess = log_in(&mut b, &state, &url, &locked, "nope").await;
    assert_eq!(
        message(&guess),
        message(&wrong),
        "a wrong guess during the lock"
    );
    assert!(guess
        .set_cookies()
        .iter()
        .all(|c| !c.contains("oauth-session")));
    let grant = post(
        &state,
        Some((&r.client.client_id, r.client_secret.as_deref().unwrap())),
        "grant_type=password&username=alice&password=correct+horse",
    )
    .await;
    assert_eq!(
        grant.status, 400,
        "the same lock applies to the password grant"
    );
}

#[tokio::test]
async fn deny_first_party_and_implicit() {
    let state = authorization_state();
    add_user(&state.store, "default", "alice", "correct horse").await;
    let r = web_app(&state, |_| {}).await;
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    log_in(&mut b, &state, &url, &login, "correct+horse").await;
    let page = b.get(&state, &url).await;
    let denied = consent(&mut b, &state, &url, &page, "deny").await;
    assert_eq!(denied.status, 303);
    let q = params_of(denied.location(), '?');
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("access_denied", "xyz")
    );

    let first = web_app(&state, |s| {
        s.policy.first_party = true;
        s.grant_types = vec!["implicit".into()];
        s.policy.access_token_ttl = Some(300);
    })
    .await;
    let implicit = format!(
        "/oauth2/authorize?response_type=token&client_id={}&state=xyz&scope=read",
        first.client.client_id
    );
    let p = b.get(&state, &implicit).await;
    assert_eq!(p.status, 302, "first party: no consent page; {}", p.body);
    assert!(
        p.location().starts_with(&format!("{CB}#")),
        "{}",
        p.location()
    );
    let f = params_of(p.location(), '#');
    assert_eq!(f["token_type"], "Bearer");
    assert_eq!(f["expires_in"], "300");
    assert_eq!(f["scope"], "read");
    assert_eq!(f["state"], "xyz");
    assert!(!f.contains_key("refresh_token"));
    let token = state
        .store
        .tokens
        .token("default", &f["access_token"])
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(token.token.username.as_deref(), Some("alice"));
}

#[tokio::test]
async fn loopback_dev_origin_drops_secure_and_workspaces_keep_apart() {
    let mut state = memory_state();
    state.settings.issuer = Some("http://127.0.0.1:9000".into());
    let r = register(
        &state.store,
        ClientSpec {
            workspace: "acme".into(),
            name: "Acme".into(),
            redirect_uris: vec![CB.into()],
            policy: ClientPolicy {
                first_party: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    add_user(&state.store, "acme", "alice", "correct horse").await;
    add_user(&state.store, "default", "alice", "other password").await;
    let url = format!(
        "/acme/oauth2/authorize?response_type=code&client_id={}&state=s&code_challenge={CHALLENGE}&code_challenge_method=S256",
        r.client.client_id
    );
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    assert!(login
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("oauth-csrf=") && !c.contains("Secure")));
    let wrong_ws = log_in(&mut b, &state, &url, &login, "other+password").await;
    assert_eq!(
        wrong_ws.status, 200,
        "a user of another workspace cannot log in here"
    );
    let ok = log_in(&mut b, &state, &url, &wrong_ws, "correct+horse").await;
    assert!(ok
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("oauth-session-acme=") && !c.contains("Secure")));
    let done = b.get(&state, &url).await;
    assert_eq!(
        params_of(done.location(), '?')["iss"],
        "http://127.0.0.1:9000/acme"
    );
    // The same client id does not exist in the default workspace.
    let default_ws = b.get(&state, &url.replace("/acme/", "/")).await;
    assert_eq!(default_ws.status, 400);
}

#[tokio::test]
async fn consents_add_up_and_an_empty_username_is_just_wrong() {
    let state = authorization_state();
    let r = web_app(&state, |_| {}).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let id = r.client.client_id.clone();
    let mut b = Browser::default();
    let read = authorize_url(&id, "&scope=read");
    let login = b.get(&state, &read).await;
    let tokens = login.form_tokens();
    let empty = b
        .post(&state, &read, &format!("step=login&{tokens}&password=x"))
        .await;
    assert_eq!(
        empty.status, 200,
        "no username: the form again, no server error"
    );
    assert!(empty.body.contains("role=\"alert\""));
    log_in(&mut b, &state, &read, &empty, "correct+horse").await;
    for scope in ["read", "write"] {
        let url = authorize_url(&id, &format!("&scope={scope}"));
        let page = b.get(&state, &url).await;
        assert!(page.body.contains("Allow access?"), "{scope} asked once");
        consent(&mut b, &state, &url, &page, "allow").await;
    }
    for scope in ["read", "write", "read+write"] {
        let p = b
            .get(&state, &authorize_url(&id, &format!("&scope={scope}")))
            .await;
        assert_eq!(p.status, 302, "{scope}: allowed before, not asked again");
    }
}

/// The account controls of the pages: Cancel on the login page returns `access_denied` to the
/// client, and "Not you?" on the consent page ends the session and starts the same request
/// again at the login page.
#[tokio::test]
async fn cancel_returns_access_denied_and_not_you_signs_out() {
    let state = authorization_state();
    add_user(&state.store, "default", "alice", "correct horse").await;
    let r = web_app(&state, |_| {}).await;
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    assert!(
        login.body.contains("Cancel and go back to Photo"),
        "{}",
        login.body
    );
    let cancelled = b
        .post(
            &state,
            &url,
            &format!("step=cancel&{}", login.form_tokens()),
        )
        .await;
    assert_eq!(cancelled.status, 303);
    let q = params_of(cancelled.location(), '?');
    assert!(cancelled.location().starts_with(CB));
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str(), q["iss"].as_str()),
        ("access_denied", "xyz", ISSUER)
    );
    let forged = b.post(&state, &url, "step=cancel&csrf=forged&form=x").await;
    assert_eq!(forged.status, 400, "a forged cancel goes nowhere");
    assert!(forged.header("location").is_none());

    let login = b.get(&state, &url).await;
    log_in(&mut b, &state, &url, &login, "correct+horse").await;
    let page = b.get(&state, &url).await;
    assert!(page.body.contains("Not you? Use another account"));
    let held = b.cookies["__Host-oauth-session-default"].clone();
    assert!(!held.is_empty());
    let switched = b
        .post(&state, &url, &format!("step=switch&{}", page.form_tokens()))
        .await;
    assert_eq!((switched.status, switched.location()), (303, url.as_str()));
    assert!(switched
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("__Host-oauth-session-default=;") && c.contains("Max-Age=0")));
    // The old cookie, sent again (a browser that kept it): its stored session is gone.
    b.cookies
        .insert("__Host-oauth-session-default".into(), held);
    let again = b.get(&state, &url).await;
    assert!(
        again.body.contains("<h1>Sign in</h1>"),
        "the stored session is gone too: {}",
        again.body
    );
}

/// The login page's error is tied to the fields it is about, focus goes to what needs fixing,
/// and the title says there is an error.
#[tokio::test]
async fn a_login_error_is_announced_tied_to_its_fields_and_focused() {
    let state = authorization_state();
    add_user(&state.store, "default", "alice", "correct horse").await;
    let r = web_app(&state, |_| {}).await;
    let url = authorize_url(&r.client.client_id, "");
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    let host = ISSUER.trim_start_matches("https://");
    assert!(
        login
            .body
            .contains(&format!("<title>{host} · Sign in to continue to ")),
        "the provider first: {}",
        login.body
    );
    assert!(!login.body.contains(r#"aria-invalid="true""#));
    assert!(login.body.contains(r#"id="username" name="username""#));
    let first_focus = login.body.split("autofocus").next().unwrap();
    assert!(
        first_focus.ends_with("value=\"\" "),
        "the empty username has focus"
    );
    let wrong = log_in(&mut b, &state, &url, &login, "nope").await;
    assert!(wrong
        .body
        .contains(&format!("<title>Error: {host} · Sign in to continue to ")));
    assert!(wrong.body.contains(r#"role="alert" id="login-error""#));
    assert_eq!(
        wrong
            .body
            .matches(r#"aria-invalid="true" aria-describedby="login-error""#)
            .count(),
        2,
        "both fields: the message does not say which was wrong"
    );
    let password = wrong.body.split(r#"id="password""#).nth(1).unwrap();
    assert!(
        password.split('>').next().unwrap().contains("autofocus"),
        "the username is refilled, so the password has focus"
    );
}
