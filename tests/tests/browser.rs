//! The login page in a real browser: headless Chromium (Debian's) opens the authorize URL of
//! the running local stack, signs in, allows, lands on the redirect URI with a code, and the
//! `oauth2` crate exchanges it. A second run in the same browser skips the login.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use oauth2::basic::BasicClient;
use oauth2::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope,
    TokenResponse, TokenUrl,
};
use oauth_core::service::admin::ClientSpec;
use oauth_tests::webdriver::Chrome;
use oauth_tests::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The client's redirect target: answers every request with a short page.
async fn callback_server() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf).await;
            let body = "signed in";
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(reply.as_bytes()).await;
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_allow_and_exchange_in_headless_chromium() {
    let stack = stack().await;
    let callback = format!("http://127.0.0.1:{}/callback", callback_server().await);
    let r = register(
        &stack.store(),
        ClientSpec {
            workspace: "default".into(),
            name: "Photo Prints".into(),
            redirect_uris: vec![callback.clone()],
            scope: Some("read write".into()),
            ..Default::default()
        },
    )
    .await;
    add_user(&stack.store(), "default", "alice", "correct horse").await;
    let client = BasicClient::new(ClientId::new(r.client.client_id.clone()))
        .set_client_secret(ClientSecret::new(r.client_secret.clone().unwrap()))
        .set_auth_uri(oauth2::AuthUrl::new(format!("{}/oauth2/authorize", stack.base_url)).unwrap())
        .set_token_uri(TokenUrl::new(format!("{}/oauth2/token", stack.base_url)).unwrap())
        .set_redirect_uri(RedirectUrl::new(callback.clone()).unwrap());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    // `cargo lambda watch` builds each function on its first request: let that happen here,
    // within the client's long timeout, rather than inside the browser's page-load timeout.
    let warm = http
        .get(format!("{}/oauth2/authorize", stack.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(warm.status(), 400, "authorize answers (no client_id)");
    let chrome = Chrome::start().await;

    for run in ["first", "second"] {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, csrf) = client
            .authorize_url(CsrfToken::new_random)
            .add_scope(Scope::new("read".into()))
            .set_pkce_challenge(challenge)
            .url();
        chrome.goto(url.as_str()).await;
        if run == "first" {
            let page = chrome.source().await;
            assert!(
                page.contains("Sign in") && page.contains("Photo Prints"),
                "{page}"
            );
            let png = chrome.screenshot().await;
            assert!(png.starts_with(b"\x89PNG") && png.len() > 1000);
            std::fs::write(repo_root().join("target/login-page.png"), png).unwrap();
            chrome.type_into("#username", "alice").await;
            chrome.type_into("#password", "correct horse").await;
            chrome.click("button[type=submit]").await;
            let consent = chrome
                .wait_for_text("Allow access?", Duration::from_secs(60))
                .await;
            assert!(consent.contains("<code>read</code>"), "{consent}");
            chrome.click("button[value=allow]").await;
        }
        let landed = chrome
            .wait_for_url(&callback, Duration::from_secs(60))
            .await;
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(landed.split_once('?').unwrap().1).unwrap();
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(
            get("state").as_deref(),
            Some(csrf.secret().as_str()),
            "{run} run"
        );
        assert_eq!(get("iss").as_deref(), Some(stack.base_url.as_str()));
        let code = get("code").unwrap_or_else(|| panic!("{run} run: no code in {landed}"));
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .unwrap_or_else(|e| panic!("{run} run: {e:?}"));
        assert_eq!(tokens.scopes(), Some(&vec![Scope::new("read".into())]));
        assert!(tokens.refresh_token().is_some());
    }
}

/// Seed 001's application registration in a real browser: a developer signs in at
/// `/oauth2/apps` (a phone-sized window), registers an application, copies its id and the
/// secret shown once, and the application then completes a code flow in the same browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_developer_registers_an_application_that_then_completes_a_code_flow() {
    use oauth_core::protocol::user::Role;
    use oauth_core::service::admin::{change_user, UserAction};
    let stack = stack().await;
    let callback = format!("http://127.0.0.1:{}/callback", callback_server().await);
    let store = stack.store();
    add_user(&store, "default", "dana", "correct horse").await;
    let developer = UserAction::SetRoles(vec![Role::Developer]);
    let iterations = test_settings().pbkdf2_iterations;
    change_user(&*store.users, iterations, ("default", "dana"), &developer)
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let apps = format!("{}/oauth2/apps", stack.base_url);
    assert_eq!(
        http.get(&apps).send().await.unwrap().status(),
        200,
        "built and answering"
    );
    let chrome = Chrome::start().await;

    chrome.goto(&apps).await;
    chrome.type_into("#username", "dana").await;
    chrome.type_into("#password", "correct horse").await;
    chrome.click("button[type=submit]").await;
    chrome
        .wait_for_text("New application", Duration::from_secs(60))
        .await;
    chrome.type_into("#name", "Browser <App>").await;
    chrome.type_into("#redirect_uris", &callback).await;
    chrome.click("input[name='grant.refresh_token']").await;
    chrome.click("#new-app button[type=submit]").await;
    let page = chrome
        .wait_for_text("shown this once", Duration::from_secs(60))
        .await;
    // Not written to disk: the page shows a secret.
    assert!(chrome.screenshot().await.starts_with(b"\x89PNG"));
    let between = |start: &str| {
        let at = page
            .find(start)
            .unwrap_or_else(|| panic!("{start} in {page}"))
            + start.len();
        page[at..].split('<').next().unwrap().to_owned()
    };
    let (secret, client_id) = (
        between(r#"id="new-secret">"#),
        between(r#"class="client-id">"#),
    );
    assert!(page.contains("Browser &lt;App&gt;"), "escaped");

    let client = BasicClient::new(ClientId::new(client_id))
        .set_client_secret(ClientSecret::new(secret))
        .set_auth_uri(oauth2::AuthUrl::new(format!("{}/oauth2/authorize", stack.base_url)).unwrap())
        .set_token_uri(TokenUrl::new(format!("{}/oauth2/token", stack.base_url)).unwrap())
        .set_redirect_uri(RedirectUrl::new(callback.clone()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    chrome.goto(url.as_str()).await;
    chrome
        .wait_for_text("Allow access?", Duration::from_secs(60))
        .await;
    chrome.click("button[value=allow]").await;
    let landed = chrome
        .wait_for_url(&callback, Duration::from_secs(60))
        .await;
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(landed.split_once('?').unwrap().1).unwrap();
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("state").as_deref(), Some(csrf.secret().as_str()));
    let tokens = client
        .exchange_code(AuthorizationCode::new(get("code").unwrap()))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    assert!(
        tokens.refresh_token().is_some(),
        "the grant types chosen on the page"
    );
}

/// The contrast ratio of two CSS `rgb(...)` colours (WCAG 2.1's relative luminance).
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |css: &str| {
        let inner = css
            .split_once('(')
            .and_then(|(_, r)| r.split_once(')'))
            .unwrap()
            .0;
        let c: Vec<f64> = inner
            .split(',')
            .take(3)
            .map(|v| v.trim().parse::<f64>().unwrap() / 255.0)
            .map(|c| {
                if c <= 0.039_28 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            })
            .collect();
        0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Every state of the pages a person meets, in headless Chromium at a desktop and a phone
/// size: axe-core (npm, injected by the test) finds no WCAG 2.0/2.1 A or AA violation; the
/// input border and the focus ring reach 3:1 (WCAG 1.4.11); in forced-colours mode the
/// buttons keep their border. Screenshots go to docs/pages/ (the README shows them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_state_passes_axe_on_a_desktop_and_a_phone() {
    let stack = stack().await;
    let axe = std::fs::read_to_string(
        repo_root().join("tests/interop/node/node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core (make test installs it with the interop clients)");
    let callback = format!("http://127.0.0.1:{}/callback", callback_server().await);
    let r = register(
        &stack.store(),
        ClientSpec {
            workspace: "photos".into(),
            name: "Photo Prints".into(),
            redirect_uris: vec![callback.clone()],
            scope: Some("read write".into()),
            ..Default::default()
        },
    )
    .await;
    // A workspace of its own: its branding must not reach the other browser tests.
    add_user(&stack.store(), "photos", "axel", "correct horse").await;
    // The workspace's branding and a scope description, so axe judges them too.
    let logo = b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='8' fill='#0b6e4f'/><path d='M9 17l5 5 9-11' stroke='#fff' stroke-width='3' fill='none'/></svg>";
    let branding = oauth_core::protocol::branding::Branding {
        display_name: Some("Photo Prints Accounts".into()),
        accent: Some("#0b6e4f".into()),
        logo: Some(oauth_core::protocol::branding::Logo::from_bytes(logo.to_vec()).unwrap()),
        support: Some("mailto:help@photoprints.example".into()),
    };
    let workspaces = stack.store().workspaces;
    workspaces.put_branding("photos", &branding).await.unwrap();
    let read = oauth_core::protocol::branding::ScopeInfo {
        name: "read".into(),
        description: "See and download your photos".into(),
        sensitive: false,
    };
    workspaces.put_scope("photos", &read).await.unwrap();
    let base = &stack.base_url;
    let url = format!(
        "{base}/photos/oauth2/authorize?response_type=code&client_id={}&redirect_uri={callback}&scope=read&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        r.client.client_id
    );
    // `cargo lambda watch` builds each function on its first request: not in the browser.
    reqwest::get(format!("{base}/oauth2/authorize"))
        .await
        .unwrap();
    let shots = repo_root().join("docs/pages");
    std::fs::create_dir_all(&shots).unwrap();
    let chrome = Chrome::start().await;
    let wait = Duration::from_secs(60);
    for (viewport, width, height) in [("desktop", 1280, 800), ("phone", 390, 844)] {
        chrome.set_window(width, height).await;
        let check = |state: &'static str| {
            let (chrome, axe, shots) = (&chrome, &axe, &shots);
            async move {
                let violations = chrome.axe(axe).await;
                assert!(
                    violations.is_empty(),
                    "{state} ({viewport}): {}",
                    serde_json::to_string_pretty(&violations).unwrap()
                );
                let png = chrome.screenshot().await;
                std::fs::write(shots.join(format!("{state}-{viewport}.png")), png).unwrap();
            }
        };
        // prompt=consent: the second size sees the consent page too.
        chrome.goto(&format!("{url}&prompt=consent")).await;
        chrome.wait_for_text("<h1>Sign in</h1>", wait).await;
        check("login").await;
        let colours = chrome
            .execute(
                "const i = document.querySelector('#password'); i.focus();
                 const s = getComputedStyle(i);
                 return [s.borderTopColor, s.outlineColor, getComputedStyle(document.querySelector('main')).backgroundColor];",
                serde_json::json!([]),
            )
            .await;
        let [border, ring, card] = [0, 1, 2].map(|k| colours[k].as_str().unwrap().to_owned());
        assert!(
            contrast(&border, &card) >= 3.0,
            "input border {border} on {card}"
        );
        assert!(contrast(&ring, &card) >= 3.0, "focus ring {ring} on {card}");
        let forced =
            serde_json::json!({"features": [{"name": "forced-colors", "value": "active"}]});
        chrome.cdp("Emulation.setEmulatedMedia", forced).await;
        let edge = chrome
            .execute(
                "const s = getComputedStyle(document.querySelector('button[type=submit]'));
                 return [s.borderTopStyle, s.borderTopWidth];",
                serde_json::json!([]),
            )
            .await;
        assert_eq!(edge[0], "solid", "forced colours: {edge}");
        assert_ne!(edge[1], "0px", "forced colours: {edge}");
        chrome
            .cdp(
                "Emulation.setEmulatedMedia",
                serde_json::json!({"features": []}),
            )
            .await;

        chrome.type_into("#username", "axel").await;
        chrome.type_into("#password", "wrong horse").await;
        chrome.click("button[type=submit]").await;
        chrome.wait_for_text("did not work", wait).await;
        check("login-error").await;
        chrome.type_into("#password", "correct horse").await;
        chrome.click("button[type=submit]").await;
        chrome.wait_for_text("Allow access?", wait).await;
        check("consent").await;
        let spent = chrome
            .execute(
                "return document.querySelector('input[name=form]').value;",
                serde_json::json!([]),
            )
            .await;
        chrome.click("button[value=allow]").await;
        chrome.wait_for_url(&callback, wait).await;
        // The Back button's old form, sent again: "Already answered", and no second code.
        chrome.goto(&format!("{url}&prompt=consent")).await;
        chrome.wait_for_text("Allow access?", wait).await;
        chrome
            .execute(
                "document.querySelectorAll('input[name=form]').forEach(i => i.value = arguments[0]);",
                serde_json::json!([spent]),
            )
            .await;
        chrome.click("button[value=allow]").await;
        chrome.wait_for_text("Already answered", wait).await;
        check("already-answered").await;

        chrome
            .goto(&format!(
                "{base}/photos/oauth2/authorize?response_type=code&client_id=nobody&state=s"
            ))
            .await;
        chrome.wait_for_text("does not work", wait).await;
        check("error").await;

        chrome.goto(&format!("{base}/photos/oauth2/logout")).await;
        chrome.wait_for_text("<h1>Sign out?</h1>", wait).await;
        check("sign-out").await;
        chrome.click("button[value=logout]").await;
        chrome.wait_for_text("You are signed out", wait).await;
        check("signed-out").await;
    }
}
