//! Whose sign-in this is: every page names the provider (the workspace's display name, or
//! the host), the workspace and the host, with the workspace's accent colour, logo and
//! support contact; consent lists scopes in words, sensitive ones first.

use oauth_core::protocol::branding::{Branding, Logo, ScopeInfo};
use oauth_tests::browser::*;
use oauth_tests::*;

const LOGO_SVG: &[u8] = b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'/>";

async fn brand(state: &oauth_core::AppState, workspace: &str) {
    let b = Branding {
        display_name: Some("Acme <Sign-in>".into()),
        accent: Some("#7a1f5c".into()),
        logo: Some(Logo::from_bytes(LOGO_SVG.to_vec()).unwrap()),
        support: Some("mailto:help@acme.example".into()),
    };
    state
        .store
        .workspaces
        .put_branding(workspace, &b)
        .await
        .unwrap();
}

#[tokio::test]
async fn every_page_names_the_provider_the_workspace_and_the_host() {
    let state = authorization_state();
    let r = web_app(&state, |s| {
        s.scope = Some("read payments.admin openid".into())
    })
    .await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "&scope=openid+read+payments.admin");
    let mut b = Browser::default();

    // Unbranded: the host is the provider.
    let plain = b.get(&state, &url).await;
    assert!(
        plain.body.contains("<title>auth.example · Sign in"),
        "{}",
        plain.body
    );
    assert!(plain
        .body
        .contains("Workspace <strong>default</strong> at auth.example"));
    assert!(!plain.body.contains("<img"));

    brand(&state, "default").await;
    let login = b.get(&state, &url).await;
    let provider = "Acme &#60;Sign-in&#62;";
    assert!(
        login
            .body
            .contains(&format!("<title>{provider} · Sign in to continue to Photo")),
        "the provider first, escaped: {}",
        login.body
    );
    assert!(login.body.contains(&format!("<span>{provider}</span>")));
    assert!(login
        .body
        .contains("Workspace <strong>default</strong> at auth.example"));
    assert!(login
        .body
        .contains(r#"<img src="data:image/svg+xml;base64,"#));
    assert!(login
        .body
        .contains(r#"<a href="mailto:help@acme.example">Get help</a>"#));
    assert!(login.body.contains("button,a.button{background:#7a1f5c}"));
    assert_protected_html(&login);

    let signed_in = log_in(&mut b, &state, &url, &login, "correct+horse").await;
    assert_eq!(signed_in.status, 303);
    let consent = b.get(&state, &url).await;
    assert!(consent
        .body
        .contains(&format!("<title>{provider} · Allow access")));
    assert!(consent.body.contains("Signed in as <strong>alice</strong>"));

    // Another workspace keeps its own (here: none).
    let error = b
        .get(
            &state,
            "/acme/oauth2/authorize?response_type=code&client_id=nobody&state=s",
        )
        .await;
    assert_eq!(error.status, 400);
    assert!(error
        .body
        .contains("Workspace <strong>acme</strong> at auth.example"));
    assert!(!error.body.contains("Acme &#60;Sign-in"));
    let branded_error = b
        .get(
            &state,
            "/oauth2/authorize?response_type=code&client_id=nobody&state=s",
        )
        .await;
    assert!(branded_error
        .body
        .contains(&format!("<span>{provider}</span>")));
}

#[tokio::test]
async fn consent_describes_scopes_sensitive_first() {
    let state = authorization_state();
    let r = web_app(&state, |s| {
        s.scope = Some("read payments.admin openid zeta".into())
    })
    .await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let scopes = &*state.store.workspaces;
    let describe = |name: &str, description: &str, sensitive| ScopeInfo {
        name: name.into(),
        description: description.into(),
        sensitive,
    };
    scopes
        .put_scope("default", &describe("read", "See your photos", false))
        .await
        .unwrap();
    scopes
        .put_scope(
            "default",
            &describe("payments.admin", "Move money from your account", true),
        )
        .await
        .unwrap();
    let url = authorize_url(
        &r.client.client_id,
        "&scope=openid+read+payments.admin+zeta",
    );
    let mut b = Browser::default();
    let login = b.get(&state, &url).await;
    log_in(&mut b, &state, &url, &login, "correct+horse").await;
    let page = b.get(&state, &url).await;
    let at = |text: &str| {
        page.body
            .find(text)
            .unwrap_or_else(|| panic!("{text}: {}", page.body))
    };
    let money = at("Move money from your account <strong class=\"tag\">Sensitive</strong>");
    let identity = at("Sign you in with your account (your user ID)");
    let photos = at("See your photos");
    let bare = at("<code>zeta</code>");
    assert!(
        money < identity && identity < photos && photos < bare,
        "in order of risk"
    );
    assert!(
        !page.body.contains("<code>payments.admin</code>"),
        "the name is secondary"
    );
}

/// The pages speak the person's language: `ui_locales` first, then `Accept-Language`; the
/// catalogue covers the page's words, its messages and OpenID's scope descriptions.
#[tokio::test]
async fn the_pages_follow_ui_locales_and_accept_language() {
    let state = authorization_state();
    let r = web_app(&state, |s| s.scope = Some("openid read".into())).await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let url = authorize_url(&r.client.client_id, "&scope=openid");
    let mut b = Browser::default();
    let english = b.get(&state, &url).await;
    assert!(english.body.contains(r#"<html lang="en">"#));
    assert!(english.body.contains("<h1>Sign in</h1>"));

    let french_url = format!("{url}&ui_locales=de+fr-CA");
    let french = b.get(&state, &french_url).await;
    assert!(
        french.body.contains(r#"<html lang="fr">"#),
        "{}",
        french.body
    );
    assert!(french.body.contains("<h1>Connexion</h1>"));
    assert!(french.body.contains("Mot de passe"));
    let wrong = log_in(&mut b, &state, &french_url, &french, "nope").await;
    assert!(
        wrong.body.contains("n&#39;ont pas fonctionné")
            || wrong.body.contains("n'ont pas fonctionné"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("<title>Erreur : "));
    log_in(&mut b, &state, &french_url, &wrong, "correct+horse").await;
    let consent = b.get(&state, &french_url).await;
    assert!(consent.body.contains("Autoriser l"), "{}", consent.body);
    assert!(consent.body.contains("Vous connecter avec votre compte"));

    // No ui_locales: the browser's languages, by weight.
    let error_url = "/oauth2/authorize?response_type=code&client_id=nobody&state=s";
    let mut lang = Browser {
        languages: Some("de-DE,fr;q=0.8,en;q=0.5".into()),
        ..Default::default()
    };
    let page = lang.get(&state, error_url).await;
    assert!(
        page.body.contains("Ce lien de connexion ne fonctionne pas"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Détails pour les développeurs"));
}
