//! IAM compared with the code, both ways: each function's requests (every path it serves) and
//! the admin CLI's commands run through the strict harness, which records every (table,
//! action) DynamoDB's IAM would check; the set must equal what `template.yaml` grants that
//! function (or the operator's managed policy). A missing action would fail in AWS; an
//! unused one is wider than it needs to be.

use oauth_core::service::admin::{ClientSpec, Registered};
use oauth_core::store::dynamo::schema::TableNames;
use oauth_core::store::Stores;
use oauth_core::AppState;
use oauth_tests::browser::*;
use oauth_tests::call::{post, post_to};
use oauth_tests::fixtures::*;
use oauth_tests::harness::Harness;
use oauth_tests::signing::kms_env;
use oauth_tests::template::{
    assert_same_permissions as assert_same, function_permissions, logical_permissions as logical,
    managed_policy_permissions,
};
use oauth_tests::*;

/// A state on the harness, with and without the client cache (the two read paths).
fn on_harness(state: &AppState, cache: u64) -> AppState {
    let mut s = state.clone();
    s.settings.client_cache_seconds = cache;
    let keys = s.keys.clone();
    let mut fresh = AppState::new(s.store.clone(), s.settings.clone(), s.clock.clone());
    fresh.keys = keys;
    fresh
}

/// A client whose access tokens are JWTs (RFC 9068): implicit, client credentials.
async fn jwt_app(setup: &Stores) -> Registered {
    let policy = oauth_core::protocol::client::ClientPolicy {
        introspect: true,
        access_token_format: oauth_core::protocol::client::TokenFormat::Jwt,
        ..Default::default()
    };
    let grants = ["client_credentials", "implicit"];
    register(
        setup,
        ClientSpec {
            policy,
            ..spec(&grants)
        },
    )
    .await
}

/// The state's keys: an RS256 and an ES256 key, sealed without KMS (KMS is not DynamoDB:
/// the template test checks `kms:Decrypt`).
async fn signing(state: AppState) -> AppState {
    oauth_tests::signing::with_keys(state).await
}

/// A client's own JWT: issued, introspected, revoked (what that writes is all there is).
async fn jwt_paths(state: &AppState, j: &Registered) {
    let auth = Some(creds(j));
    let cc = post(state, auth, "grant_type=client_credentials").await;
    assert_eq!(cc.status, 200, "{}", cc.json);
    let token = format!("token={}", cc.field("access_token"));
    let seen = post_to(state, "/oauth2/introspect", auth, &token).await;
    assert_eq!(seen.json["active"], true, "{}", seen.json);
    post_to(state, "/oauth2/revoke", auth, &token).await;
}

async fn app(setup: &Stores) -> Registered {
    let grants = [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password",
        "implicit",
    ];
    let r = register(
        setup,
        ClientSpec {
            policy: oauth_core::protocol::client::ClientPolicy {
                introspect: true,
                ..Default::default()
            },
            ..spec(&grants)
        },
    )
    .await;
    add_user(setup, "default", "alice", "correct horse").await;
    let developer = oauth_core::service::admin::UserAction::SetRoles(vec![
        oauth_core::protocol::user::Role::Developer,
    ]);
    let iterations = test_settings().pbkdf2_iterations;
    oauth_core::service::admin::change_user(
        &*setup.users,
        iterations,
        ("default", "alice"),
        &developer,
    )
    .await
    .unwrap();
    r
}

/// Every path of the token function: each grant, reuse of a code and of a refresh token,
/// a failed login, revocation of both kinds, introspection, metadata.
async fn token_function(state: &AppState, setup: &Stores, r: &Registered) {
    let auth = Some(creds(r));
    post(state, auth, "grant_type=client_credentials").await;
    let login = "grant_type=password&username=alice&password=correct+horse";
    let pw = post(state, auth, login).await;
    assert_eq!(pw.status, 200, "{}", pw.json);
    post(
        state,
        auth,
        "grant_type=password&username=alice&password=wrong",
    )
    .await;
    let code = store_code(setup, &code_for(r, &alice())).await;
    let exchanged = post(state, auth, &code_body(&code)).await;
    assert_eq!(exchanged.status, 200, "{}", exchanged.json);
    post(state, auth, &code_body(&code)).await; // reuse: revokes the family
    let refresh = pw.field("refresh_token");
    let body = format!("grant_type=refresh_token&refresh_token={refresh}");
    let rotated = post(state, auth, &body).await;
    assert_eq!(rotated.status, 200, "{}", rotated.json);
    post(state, auth, &body).await; // reuse
    let fresh = post(state, auth, login).await;
    let introspect = format!("token={}", fresh.field("access_token"));
    post_to(state, "/oauth2/introspect", auth, &introspect).await;
    post_to(state, "/oauth2/revoke", auth, &introspect).await;
    let revoke_refresh = format!("token={}", fresh.field("refresh_token"));
    post_to(state, "/oauth2/revoke", auth, &revoke_refresh).await;
    oauth_tests::call::token(
        state,
        oauth_tests::call::get("/.well-known/oauth-authorization-server"),
    )
    .await;
    registration(state, setup).await;
    oauth_tests::call::token(state, oauth_tests::call::get("/.well-known/jwks.json")).await;
}

/// RFC 7591 registration with an initial access token, then RFC 7592 read, update, delete.
async fn registration(state: &AppState, setup: &Stores) {
    use oauth_core::service::admin::{create_registration_token, RegistrationTokenSpec};
    use oauth_tests::call::json_request;
    let spec = RegistrationTokenSpec {
        workspace: "default".into(),
        expires_in: 600,
        max_uses: None,
        scope: "read".into(),
    };
    let store = &*setup.registrations;
    let (initial, _) = create_registration_token(store, &spec, oauth_tests::now())
        .await
        .unwrap();
    let body = serde_json::json!({"redirect_uris": ["https://app.example/cb"]});
    let at = ("POST", "/oauth2/register");
    let r = json_request(state, at, Some(&initial), Some(&body)).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let (id, token) = (r.field("client_id"), r.field("registration_access_token"));
    let path = format!("/oauth2/register/{id}");
    let update = serde_json::json!({"client_id": id, "redirect_uris": ["https://app.example/cb"]});
    for (method, body) in [("GET", None), ("PUT", Some(&update)), ("DELETE", None)] {
        let r = json_request(state, (method, &path), Some(&token), body).await;
        assert!(r.status < 300, "{method}: {}", r.json);
    }
}

#[tokio::test]
async fn the_token_functions_policy_is_what_its_code_uses() {
    let (state, harness, direct) = harnessed_state().await;
    let state = signing(state).await;
    let setup = Stores::new(direct.clone());
    let r = app(&setup).await;
    let j = jwt_app(&setup).await;
    harness.take_calls();
    for cache in [0, 300] {
        let s = on_harness(&state, cache);
        token_function(&s, &setup, &r).await;
        jwt_paths(&s, &j).await;
    }
    let used = logical(harness.take_permissions(), direct.tables());
    assert_same(
        "TokenFunction",
        &used,
        &function_permissions("TokenFunction"),
    );
}

/// Every step of the authorization endpoint: login (wrong, then right), consent (allow,
/// deny), a remembered consent, implicit.
async fn authorize_function(state: &AppState, r: &Registered) {
    let mut b = Browser::default();
    let url = authorize_url(
        &r.client.client_id,
        &format!("&scope=read&redirect_uri={CB}"),
    );
    let login = b.get(state, &url).await;
    let wrong = log_in(&mut b, state, &url, &login, "wrong").await;
    log_in(&mut b, state, &url, &wrong, "correct+horse").await;
    let page = b.get(state, &url).await;
    consent(&mut b, state, &url, &page, "deny").await;
    let page = b.get(state, &url).await;
    let done = consent(&mut b, state, &url, &page, "allow").await;
    assert!(done.location().contains("code="), "{}", done.location());
    let implicit = format!(
        "/oauth2/authorize?response_type=token&client_id={}&state=s&scope=read&redirect_uri={CB}",
        r.client.client_id
    );
    let token = b.get(state, &implicit).await;
    assert!(
        token.location().contains("access_token="),
        "{}",
        token.location()
    );
    apps_page(state, &mut b).await;
    // RP-initiated logout, confirmed on its page: the session goes.
    let page = b.get(state, "/oauth2/logout").await;
    let csrf = page.field("csrf").unwrap().to_owned();
    let out = b
        .post(state, "/oauth2/logout", &format!("step=logout&csrf={csrf}"))
        .await;
    assert!(out.body.contains("signed out"), "{}", out.body);
}

/// The applications page, as alice (a developer) uses it: list, create, change, a new secret,
/// delete; the session is the one signed in above.
async fn apps_page(state: &AppState, b: &mut Browser) {
    const APPS: &str = "/oauth2/apps";
    let create = "step=create&name=App&redirect_uris=https%3A%2F%2Fapp.example%2Fcb&grant.authorization_code=on&type=confidential";
    let page = b.get(state, APPS).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let tokens = page.form_tokens();
    let created = b.post(state, APPS, &format!("{tokens}&{create}")).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let listed = b.get(state, APPS).await;
    let marker = r#"class="client-id">"#;
    let at = listed.body.find(marker).unwrap() + marker.len();
    let id = listed.body[at..].split('<').next().unwrap().to_owned();
    let update = format!("step=update&client_id={id}&name=Renamed&redirect_uris=https%3A%2F%2Fapp.example%2Fcb&grant.authorization_code=on");
    for fields in [
        update,
        format!("step=rotate&client_id={id}"),
        format!("step=delete&client_id={id}"),
    ] {
        let tokens = b.get(state, APPS).await.form_tokens();
        let r = b.post(state, APPS, &format!("{tokens}&{fields}")).await;
        assert_eq!(r.status, 303, "{fields}: {}", r.body);
    }
}

#[tokio::test]
async fn the_authorize_functions_policy_is_what_its_code_uses() {
    let (mut state, harness, direct) = harnessed_state().await;
    state.settings.issuer = Some(ISSUER.into());
    let state = signing(state).await;
    let setup = Stores::new(direct.clone());
    let r = app(&setup).await;
    let j = jwt_app(&setup).await;
    harness.take_calls();
    authorize_function(&state, &r).await;
    // Implicit for a JWT client: the signing keys are read (the keyring) once.
    let mut b = Browser::default();
    let implicit = format!(
        "/oauth2/authorize?response_type=token&client_id={}&state=s&scope=read&redirect_uri={CB}",
        j.client.client_id
    );
    let login = b.get(&state, &implicit).await;
    log_in(&mut b, &state, &implicit, &login, "correct+horse").await;
    let page = b.get(&state, &implicit).await;
    let done = consent(&mut b, &state, &implicit, &page, "allow").await;
    assert!(
        done.location().contains("access_token=ey"),
        "{}",
        done.location()
    );
    let used = logical(harness.take_permissions(), direct.tables());
    assert_same(
        "AuthorizeFunction",
        &used,
        &function_permissions("AuthorizeFunction"),
    );
}

#[tokio::test]
async fn the_authorizers_policy_is_what_its_code_uses() {
    let (state, harness, direct) = harnessed_state().await;
    let setup = Stores::new(direct.clone());
    let r = app(&setup).await;
    let j = jwt_app(&setup).await;
    let direct_state = signing(AppState::new(
        setup.clone(),
        test_settings(),
        state.clock.clone(),
    ))
    .await;
    let token = post(
        &direct_state,
        Some(creds(&r)),
        "grant_type=password&username=alice&password=correct+horse",
    )
    .await;
    let jwt = post(
        &direct_state,
        Some(creds(&j)),
        "grant_type=client_credentials",
    )
    .await;
    harness.take_calls();
    let judge = |t: String| {
        let state = state.clone();
        async move {
            let event = oauth_tests::call::authorizer_event(Some(&format!("Bearer {t}")));
            let v = oauth_core::http::authorizer::authorize(&state, "default", &event).await;
            assert!(v.unwrap().is_authorized);
        }
    };
    let operations =
        |h: &Harness| -> Vec<String> { h.take_calls().into_iter().map(|c| c.operation).collect() };
    judge(token.field("access_token")).await;
    let opaque = operations(&harness);
    assert_eq!(opaque, ["BatchGetItem"], "an opaque token: one read");
    judge(jwt.field("access_token")).await;
    let cold = operations(&harness);
    assert_eq!(cold, ["GetItem"], "a JWT, cold: the keyring, once");
    judge(jwt.field("access_token")).await;
    assert!(
        operations(&harness).is_empty(),
        "a JWT, warm: no DynamoDB call at all"
    );
    // Both kinds again, for the permissions they need.
    judge(token.field("access_token")).await;
    let fresh = AppState::new(
        state.store.clone(),
        state.settings.clone(),
        state.clock.clone(),
    );
    let event =
        oauth_tests::call::authorizer_event(Some(&format!("Bearer {}", jwt.field("access_token"))));
    oauth_core::http::authorizer::authorize(&fresh, "default", &event)
        .await
        .unwrap();
    let used = logical(harness.take_permissions(), direct.tables());
    assert_same(
        "AuthorizerFunction",
        &used,
        &function_permissions("AuthorizerFunction"),
    );
}

/// `oauth-admin` against the harness, every command but `tables create` (local only).
fn admin(harness: &Harness, tables: &TableNames, args: &[&str], stdin: &str) -> serde_json::Value {
    use std::io::Write;
    let mut child = std::process::Command::new(repo_root().join("target/debug/oauth-admin"))
        .args(args)
        .envs(local_env(&harness.endpoint, tables))
        .envs(kms_env())
        .env("PBKDF2_ITERATIONS", "1000")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("target/debug/oauth-admin (cargo test --workspace builds it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn the_operators_policy_is_what_oauth_admin_uses() {
    let (state, harness, direct) = harnessed_state().await;
    let tables = direct.tables();
    let run = |args: &[&str], stdin: &str| admin(&harness, tables, args, stdin);
    let created = run(
        &[
            "client",
            "create",
            "--name",
            "svc",
            "--grant-type",
            "client_credentials",
            "--grant-type",
            "password",
            "--grant-type",
            "refresh_token",
        ],
        "",
    );
    let id = created["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    run(&["client", "list"], "");
    run(&["client", "show", &id], "");
    run(&["client", "update", &id, "--name", "renamed"], "");
    run(
        &["user", "create", "--username", "bob", "--password-stdin"],
        "correct horse\n",
    );
    run(&["user", "list"], "");
    run(
        &["user", "update", "--username", "bob", "--role", "developer"],
        "",
    );
    run(
        &[
            "user",
            "set-password",
            "--username",
            "bob",
            "--password-stdin",
        ],
        "battery staple\n",
    );
    let direct_state = AppState::new(
        Stores::new(direct.clone()),
        test_settings(),
        state.clock.clone(),
    );
    let login = "grant_type=password&username=bob&password=battery+staple";
    let tokens = post(&direct_state, Some((&id, &secret)), login).await;
    run(&["token", "show", "-"], &tokens.field("access_token"));
    run(&["token", "revoke", "-"], &tokens.field("access_token"));
    run(&["token", "revoke", "-"], &tokens.field("refresh_token"));
    run(&["client", "rotate-secret", &id], "");
    run(&["client", "rotate-secret", "--keep-old", "60", &id], "");
    let initial = run(&["registration-token", "create", "--max-uses", "2"], "");
    let value = initial["initial_access_token"].as_str().unwrap();
    run(
        &["registration-token", "revoke", "-"],
        &format!("{value}\n"),
    );
    run(&["keys", "rotate"], "");
    run(&["keys", "list"], "");
    run(
        &[
            "workspace",
            "set",
            "--display-name",
            "Acme",
            "--accent",
            "#1f5bd8",
        ],
        "",
    );
    run(&["workspace", "show"], "");
    let describe = ["scope", "create", "--name", "read", "--description", "See"];
    run(&describe, "");
    run(&["scope", "list"], "");
    run(&["scope", "delete", "--name", "read"], "");
    let imported = [
        "client",
        "create",
        "--name",
        "legacy",
        "--client-id",
        "legacy-app",
    ];
    run(
        &[
            &imported[..],
            &[
                "--client-secret-stdin",
                "--grant-type",
                "client_credentials",
            ],
        ]
        .concat(),
        "legacy-secret-0123456789\n",
    );
    run(&["client", "rotate-secret", "--revoke-tokens", &id], "");
    run(&["client", "revoke-tokens", &id], "");
    for action in ["disable", "enable", "revoke-tokens"] {
        run(&["user", action, "--username", "bob"], "");
    }
    run(&["user", "delete", "--username", "bob"], "");
    run(&["client", "delete", &id], "");
    let used = logical(harness.take_permissions(), tables);
    assert_same(
        "OperatorPolicy",
        &used,
        &managed_policy_permissions("OperatorPolicy"),
    );
}
