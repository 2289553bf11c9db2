//! A browser for the authorization endpoint's handler: keeps cookies between requests.

use lambda_http::http::HeaderMap;
use lambda_http::{Body, Request};
use oauth_core::AppState;
use std::collections::BTreeMap;

#[derive(Clone)]
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }
    /// The value of a hidden form field (`name="csrf" value="..."`).
    pub fn field(&self, name: &str) -> Option<&str> {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.body.find(&marker)? + marker.len();
        self.body[start..].split('"').next()
    }

    /// The fields every form of this page sends: its CSRF token and its (single-use) form id.
    pub fn form_tokens(&self) -> String {
        let csrf = self.field("csrf").expect("csrf field");
        let form = self.field("form").expect("form field");
        format!("csrf={csrf}&form={form}")
    }
}

#[derive(Default)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
    /// The `Accept` header it sends, if any.
    pub accept: Option<String>,
    /// The `Accept-Language` header it sends, if any.
    pub languages: Option<String>,
}

impl Browser {
    fn request(&self, method: &str, url: &str, body: Option<&str>) -> Request {
        let mut b = lambda_http::http::Request::builder()
            .method(method)
            .uri(url);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            b = b.header("cookie", jar.join("; "));
        }
        if let Some(accept) = &self.accept {
            b = b.header("accept", accept);
        }
        if let Some(languages) = &self.languages {
            b = b.header("accept-language", languages);
        }
        match body {
            Some(form) => b
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::Binary(form.as_bytes().to_vec())),
            None => b.body(Body::Empty),
        }
        .expect("request")
    }

    async fn send(&mut self, state: &AppState, req: Request) -> Page {
        let resp = oauth_core::http::authorization::handle(state, req).await;
        let page = Page {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            body: match resp.body() {
                Body::Text(t) => t.clone(),
                Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
                _ => String::new(),
            },
        };
        for c in page.set_cookies() {
            if let Some((name, rest)) = c.split_once('=') {
                let value = rest.split(';').next().unwrap_or("");
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        page
    }

    pub async fn get(&mut self, state: &AppState, url: &str) -> Page {
        let req = self.request("GET", url, None);
        self.send(state, req).await
    }

    pub async fn post(&mut self, state: &AppState, url: &str, form: &str) -> Page {
        let req = self.request("POST", url, Some(form));
        self.send(state, req).await
    }
}

// Helpers for the authorization endpoint's tests.

use crate::fixtures::{CB, CHALLENGE};
use crate::{memory_state, register};
use oauth_core::service::admin::{ClientSpec, Registered};

/// The issuer of the authorization tests' state.
pub const ISSUER: &str = "https://auth.example";

/// In-memory state whose issuer is [`ISSUER`].
pub fn authorization_state() -> AppState {
    let mut s = memory_state();
    s.settings.issuer = Some(ISSUER.into());
    s
}

/// A confidential web app (a name that needs escaping, one redirect URI [`CB`], code and
/// refresh grants, `read write`), adjusted by `f`.
pub async fn web_app(state: &AppState, f: impl FnOnce(&mut ClientSpec)) -> Registered {
    let mut spec = ClientSpec {
        workspace: "default".into(),
        name: "Photo <Prints> & Co".into(),
        redirect_uris: vec![CB.into()],
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        scope: Some("read write".into()),
        ..Default::default()
    };
    f(&mut spec);
    register(&state.store, spec).await
}

/// A code request of `client_id` with `state=xyz` and the RFC 7636 challenge, plus `extra`.
/// S256 unless `extra` names another method.
pub fn authorize_url(client_id: &str, extra: &str) -> String {
    let method = if extra.contains("code_challenge_method=") {
        ""
    } else {
        "&code_challenge_method=S256"
    };
    format!(
        "/oauth2/authorize?response_type=code&client_id={client_id}&state=xyz&code_challenge={CHALLENGE}{method}{extra}"
    )
}

/// Query (or fragment) parameters of a redirect.
pub fn params_of(location: &str, sep: char) -> std::collections::HashMap<String, String> {
    let part = location.split_once(sep).map(|(_, q)| q).unwrap_or("");
    serde_urlencoded::from_str::<Vec<(String, String)>>(part)
        .unwrap()
        .into_iter()
        .collect()
}

/// Logs alice in through the form of `page` (which must be the login page; each form is
/// sent once: log in again through the page this answers).
pub async fn log_in(
    b: &mut Browser,
    state: &AppState,
    url: &str,
    page: &Page,
    password: &str,
) -> Page {
    let tokens = page.form_tokens();
    let form = format!("step=login&{tokens}&username=alice&password={password}");
    b.post(state, url, &form).await
}

/// Answers the consent page `page` with `decision` (`allow` or `deny`).
pub async fn consent(
    b: &mut Browser,
    state: &AppState,
    url: &str,
    page: &Page,
    decision: &str,
) -> Page {
    let tokens = page.form_tokens();
    b.post(
        state,
        url,
        &format!("step=consent&{tokens}&decision={decision}"),
    )
    .await
}

/// The headers every page of the authorization endpoint carries.
pub fn assert_protected_html(p: &Page) {
    assert_eq!(p.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = p.header("content-security-policy").unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert_eq!(p.header("x-frame-options"), Some("DENY"));
    assert_eq!(p.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(p.header("cache-control"), Some("no-store"));
    assert!(p.header("access-control-allow-origin").is_none(), "no CORS");
}
