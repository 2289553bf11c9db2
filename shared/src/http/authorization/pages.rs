//! HTML pages of the authorization endpoint and the applications page, rendered with askama
//! (escaping by default), and the headers every page and redirect carries.

use super::locale::{Lang, Plain, Text};
use super::{cookies, Ctx};
use crate::crypto;
use crate::protocol::branding::{self, Branding, ConsentLine, ScopeInfo, WorkspaceConfig};
use crate::protocol::redirect_uri;
use askama::Template;
use lambda_http::http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Response};

/// What every page shows around its content: the provider (the workspace's display name, or
/// the host), the workspace, the host, and the workspace's accent colour, logo and support
/// contact. Consent also reads the workspace's scope descriptions from it.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub(crate) provider: String,
    pub(crate) workspace: String,
    pub(crate) host: String,
    pub(crate) accent: Option<String>,
    /// A `data:` URI.
    pub(crate) logo: Option<String>,
    pub(crate) support: Option<String>,
    pub(crate) scopes: Vec<ScopeInfo>,
    /// The page's language (`<html lang>`) and its words.
    pub(crate) lang: &'static str,
    pub(crate) t: &'static Text,
}

/// How long an error page waits for the workspace's branding before it shows the defaults
/// (the error may be the storage's own).
const ERROR_FRAME_WAIT: std::time::Duration = std::time::Duration::from_millis(300);

impl Frame {
    /// The defaults: no read.
    pub(crate) fn plain(workspace: &str, base: &str) -> Self {
        let host = base
            .split_once("://")
            .map_or(base, |(_, rest)| rest)
            .trim_end_matches('/')
            .to_owned();
        Self {
            provider: host.clone(),
            workspace: workspace.to_owned(),
            host,
            accent: None,
            logo: None,
            support: None,
            scopes: Vec::new(),
            lang: Lang::En.tag(),
            t: Lang::En.text(),
        }
    }

    /// The same frame in `lang`.
    pub(crate) fn in_lang(mut self, lang: Lang) -> Self {
        self.lang = lang.tag();
        self.t = lang.text();
        self
    }

    /// The workspace's own, read from the store (the defaults where it has none, or where the
    /// read fails: branding never stands between a person and signing in or out).
    pub(crate) async fn load(
        state: &crate::config::AppState,
        workspace: &str,
        base: &str,
        lang: Lang,
    ) -> Self {
        let plain = Self::plain(workspace, base).in_lang(lang);
        match state.store.workspaces.workspace_config(workspace).await {
            Ok(config) => Self::with(plain, config),
            Err(e) => {
                tracing::warn!(error = %e, "workspace branding unread: the pages show the defaults");
                plain
            }
        }
    }

    /// [`Frame::load`] for an error page, which waits at most 300 ms for it (the error may be
    /// the storage's own).
    pub(crate) async fn for_error(
        state: &crate::config::AppState,
        workspace: &str,
        base: &str,
        lang: Lang,
    ) -> Self {
        let read = Self::load(state, workspace, base, lang);
        match tokio::time::timeout(ERROR_FRAME_WAIT, read).await {
            Ok(frame) => frame,
            Err(_) => Self::plain(workspace, base).in_lang(lang),
        }
    }

    fn with(mut self, config: WorkspaceConfig) -> Self {
        let b = config.branding;
        // Checked again on the way out: only what passes the operator's checks is shown.
        let checked = branding::validate(&Branding {
            logo: None,
            ..b.clone()
        })
        .is_ok();
        if checked {
            if let Some(name) = b.display_name {
                self.provider = name;
            }
            self.accent = b.accent;
            self.support = b.support;
        }
        self.logo = b.logo.map(|l| l.data_uri());
        self.scopes = config.scopes;
        self
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login<'a> {
    nonce: &'a str,
    frame: &'a Frame,
    client_name: &'a str,
    action: &'a str,
    csrf: &'a str,
    form: &'a str,
    username: &'a str,
    error: Option<&'a str>,
    /// Whether a Cancel button leads back to the client (`access_denied`).
    cancel: bool,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct Consent<'a> {
    nonce: &'a str,
    frame: &'a Frame,
    client_name: &'a str,
    action: &'a str,
    csrf: &'a str,
    form: &'a str,
    username: &'a str,
    scopes: Vec<ConsentLine>,
    links: &'a crate::protocol::client::ClientLinks,
}

#[derive(Template)]
#[template(path = "answered.html")]
struct Answered<'a> {
    nonce: &'a str,
    frame: &'a Frame,
    client_name: &'a str,
    action: &'a str,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nonce: &'a str,
    frame: &'a Frame,
    code: &'a str,
    description: &'a str,
    words: &'static Plain,
    reference: &'a str,
}

/// The plain words for an error page of `status` with the RFC `code`, in `t`'s language.
pub(crate) fn plain(t: &'static Text, status: u16, code: &str) -> &'static Plain {
    match (status, code) {
        (500, _) => &t.server_failed,
        (503, _) => &t.busy,
        (404, _) => &t.not_found,
        (403, _) | (_, "access_denied") => &t.forbidden,
        _ => &t.bad_link,
    }
}

/// A short reference a person can read out or paste ("ERR-" and eight characters), also
/// logged with the error's detail, so support can find what happened.
fn reference() -> String {
    // 32 letters and digits that cannot be mistaken for one another (no 0/O, no 1/I).
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let code: String = (0..8)
        .map(|_| char::from(ALPHABET[usize::from(crypto::random_byte() % 32)]))
        .collect();
    format!("ERR-{code}")
}

/// The login form; `username` refilled, `error` shown above it.
pub(super) fn login(
    ctx: &Ctx<'_>,
    status: u16,
    username: &str,
    error: Option<&str>,
) -> Response<Body> {
    let to = LoginTarget {
        name: &ctx.client.name,
        action: &ctx.action,
        form_action: &form_action(ctx),
        cancel: true,
    };
    login_form(&ctx.visit(), &to, status, (username, error))
}

/// What a login form signs in to: shown as "to continue to `name`", posted to `action`, and
/// the CSP's `form-action` sources.
pub(crate) struct LoginTarget<'a> {
    pub(crate) name: &'a str,
    pub(crate) action: &'a str,
    pub(crate) form_action: &'a str,
    /// Whether the page offers to cancel back to a client (the authorization endpoint).
    pub(crate) cancel: bool,
}

/// A login form (the authorization endpoint's, or the applications page's).
pub(crate) fn login_form(
    visit: &cookies::Visit<'_>,
    to: &LoginTarget<'_>,
    status: u16,
    (username, error): (&str, Option<&str>),
) -> Response<Body> {
    let (csrf, is_new) = cookies::csrf_token(visit);
    let nonce = crypto::random_string(16);
    let form = cookies::new_form(visit);
    let page = Login {
        nonce: &nonce,
        frame: visit.frame,
        client_name: to.name,
        action: to.action,
        csrf: &csrf,
        form: &form,
        username,
        error,
        cancel: to.cancel,
    };
    let mut resp = html(status, &nonce, &page, to.form_action);
    if is_new {
        cookies::set_csrf(visit, &mut resp, &csrf);
    }
    resp
}

/// The consent page for the signed-in `username`.
pub(super) fn consent(ctx: &Ctx<'_>, username: &str) -> Response<Body> {
    let (csrf, is_new) = cookies::csrf_token(&ctx.visit());
    let nonce = crypto::random_string(16);
    let form = cookies::new_form(&ctx.visit());
    let page = Consent {
        nonce: &nonce,
        frame: &ctx.frame,
        client_name: &ctx.client.name,
        action: &ctx.action,
        csrf: &csrf,
        form: &form,
        username,
        scopes: branding::consent_lines(&ctx.request.scope, &ctx.frame.scopes, |name| {
            ctx.frame.t.built_in_scope(name)
        }),
        links: &ctx.client.policy.links,
    };
    with_csrf(
        ctx,
        html(200, &nonce, &page, &form_action(ctx)),
        &csrf,
        is_new,
    )
}

/// A consent form sent again (a double click, the Back button): nothing was done twice; the
/// link runs the request again, which may issue a new code (never the same one twice).
pub(super) fn answered(ctx: &Ctx<'_>) -> Response<Body> {
    let nonce = crypto::random_string(16);
    let page = Answered {
        nonce: &nonce,
        frame: &ctx.frame,
        client_name: &ctx.client.name,
        action: &ctx.action,
    };
    html(200, &nonce, &page, "'none'")
}

/// An error page (never a redirect: the request could not be verified): plain words and a
/// next step first, a reference that is also in the log, the RFC error folded below.
pub(crate) fn error(frame: &Frame, status: u16, code: &str, description: &str) -> Response<Body> {
    let nonce = crypto::random_string(16);
    let reference = reference();
    tracing::info!(%reference, status, error = code, description, "error page shown");
    let words = plain(frame.t, status, code);
    let page = ErrorPage {
        nonce: &nonce,
        frame,
        code,
        description,
        words,
        reference: &reference,
    };
    html(status, &nonce, &page, "'none'")
}

/// Where this page's forms may lead: here, and on to the client's redirect URI. Chrome
/// applies `form-action` to the redirect that follows a form's POST, so `'self'` alone would
/// stop the browser on its way back to the client.
fn form_action(ctx: &Ctx<'_>) -> String {
    let back = redirect_uri::origin(&ctx.request.return_to.redirect_uri).unwrap_or_default();
    format!("'self' {back}")
}

fn with_csrf(ctx: &Ctx<'_>, mut resp: Response<Body>, csrf: &str, is_new: bool) -> Response<Body> {
    if is_new {
        cookies::set_csrf(&ctx.visit(), &mut resp, csrf);
    }
    resp
}

/// Headers that keep the responses of this endpoint out of caches, frames and referrers,
/// and browsers on HTTPS (HSTS; ignored over plain http, the loopback dev origin).
pub(crate) fn protect(resp: &mut Response<Body>) {
    let h = resp.headers_mut();
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// Renders a page; `nonce` must be the one the template was given (its CSP `style-src`);
/// `form_action` is the CSP's `form-action` sources.
pub(crate) fn html(
    status: u16,
    nonce: &str,
    page: &impl Template,
    form_action: &str,
) -> Response<Body> {
    let text = page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template rendering failed");
        "<!doctype html><title>Error</title><p>Something went wrong.</p>".into()
    });
    let mut resp = Response::new(Body::Text(text));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    protect(&mut resp);
    let csp = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; form-action {form_action}; base-uri 'none'; frame-ancestors 'none'"
    );
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_page_says_what_to_do_next_in_plain_words() {
        for (status, code) in [
            (400, "invalid_request"),
            (400, "unauthorized_client"),
            (403, "access_denied"),
            (404, "invalid_request"),
            (405, "invalid_request"),
            (500, "server_error"),
            (503, "temporarily_unavailable"),
        ] {
            let words = plain(&super::super::locale::EN, status, code);
            for text in [words.title, words.what, words.next] {
                assert!(
                    !text.contains('_'),
                    "{status} {code}: no RFC codes in {text:?}"
                );
            }
        }
        let en = &super::super::locale::EN;
        assert_ne!(
            plain(en, 500, "server_error").title,
            plain(en, 400, "invalid_request").title
        );
    }

    #[test]
    fn a_reference_is_short_unambiguous_and_new_each_time() {
        let (a, b) = (reference(), reference());
        assert_ne!(a, b);
        assert_eq!(a.len(), 12);
        assert!(a[4..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert!(!a[4..].contains(['0', 'O', '1', 'I']), "{a}");
    }

    #[test]
    fn the_error_page_folds_the_technical_detail_below_the_next_step() {
        let frame = Frame::plain("default", "https://auth.example");
        let resp = error(
            &frame,
            400,
            "invalid_request",
            "redirect_uri is not registered <x>",
        );
        let Body::Text(body) = resp.body() else {
            panic!("an HTML page")
        };
        let next = body.find("Go back to the application").unwrap();
        let details = body.find("<details>").unwrap();
        assert!(next < details);
        assert!(
            body.contains("redirect_uri is not registered &#60;x&#62;"),
            "escaped: {body}"
        );
        assert!(body.contains("<code class=\"reference\">ERR-"));
    }
}
