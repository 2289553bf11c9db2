//! The pages' cookies (the authorization endpoint's and the applications page's): the login
//! session, and the CSRF token of the forms (double submit); and the forms' single-use ids
//! (`new_form`, `spend_form`, `release_form`). `__Host-` names and `Secure`
//! everywhere but a loopback http dev origin.

use crate::config::AppState;
use crate::crypto;
use crate::http::failure::Failure;
use crate::http::request::cookie;
use crate::protocol::form::Form;
use crate::protocol::redirect_uri;
use crate::protocol::user::Session;
use crate::service::authorization as flow;
use lambda_http::http::{header, HeaderValue};
use lambda_http::{Body, Request, Response};

/// One browser's request to a page of a workspace: what its cookies are read from.
pub(crate) struct Visit<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) req: &'a Request,
    pub(crate) workspace: &'a str,
    /// What the pages show around their content (provider, workspace, host, branding).
    pub(crate) frame: &'a super::pages::Frame,
    /// Whether cookies are `Secure` (all but a loopback http dev origin).
    pub(crate) secure: bool,
}

/// Whether the base URL is `http` on a loopback host (`make dev`): then cookies cannot be
/// `Secure`, and the `__Host-` prefix (which requires it) is dropped.
pub(crate) fn is_loopback_http(base: &str) -> bool {
    base.strip_prefix("http://")
        .and_then(|rest| {
            let host = if rest.starts_with('[') {
                rest.split_inclusive(']').next()?
            } else {
                rest.split(['/', ':']).next()?
            };
            Some(redirect_uri::is_loopback(host))
        })
        .unwrap_or(false)
}

fn session_name(ws: &str, secure: bool) -> String {
    format!("{}oauth-session-{ws}", if secure { "__Host-" } else { "" })
}

fn csrf_name(secure: bool) -> &'static str {
    if secure {
        "__Host-oauth-csrf"
    } else {
        "oauth-csrf"
    }
}

fn secure_flag(secure: bool) -> &'static str {
    if secure {
        "; Secure"
    } else {
        ""
    }
}

/// The signed-in session of this browser in the client's workspace, if any.
pub(crate) async fn current_session(v: &Visit<'_>) -> Result<Option<Session>, Failure> {
    match cookie(v.req, &session_name(v.workspace, v.secure)) {
        Some(value) => Ok(flow::session(v.state, v.workspace, value).await?),
        None => Ok(None),
    }
}

pub(crate) fn set_session(v: &Visit<'_>, resp: &mut Response<Body>, value: &str) {
    let cookie = format!(
        "{}={value}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
        session_name(v.workspace, v.secure),
        v.state.settings.session_ttl,
        secure_flag(v.secure)
    );
    set(resp, &cookie);
}

/// Ends this browser's session in the workspace (a logout): the stored session goes.
pub(crate) async fn end_session(v: &Visit<'_>) -> Result<(), Failure> {
    if let Some(value) = cookie(v.req, &session_name(v.workspace, v.secure)) {
        let sessions = &v.state.store.sessions;
        sessions.end_session(v.workspace, value).await?;
    }
    Ok(())
}

/// Tells the browser to forget its session cookie.
pub(crate) fn clear_session(v: &Visit<'_>, resp: &mut Response<Body>) {
    let cookie = format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}",
        session_name(v.workspace, v.secure),
        secure_flag(v.secure)
    );
    set(resp, &cookie);
}

/// Whether the form's CSRF token equals this browser's cookie.
pub(crate) fn csrf_matches(v: &Visit<'_>, form: &Form) -> bool {
    match (form.get("csrf"), cookie(v.req, csrf_name(v.secure))) {
        (Some(sent), Some(kept)) => crypto::constant_time_eq(sent.as_bytes(), kept.as_bytes()),
        _ => false,
    }
}

/// Seconds a rendered form may be sent: a page left open longer is shown again.
pub(crate) const FORM_SECONDS: u64 = 3600;

/// A new form id for a page being rendered: when it was made, and a random part. Each form is
/// sent once ([`spend_form`]), so a double submit or a Back-button resubmit does nothing twice.
pub(crate) fn new_form(v: &Visit<'_>) -> String {
    format!("{}.{}", v.state.now(), crypto::random_string(16))
}

/// What a submitted form's id comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormUse {
    /// First sent now: act on it.
    Fresh,
    /// Sent before: act on nothing, show where the first submit led.
    Repeated,
    /// Missing, malformed or older than [`FORM_SECONDS`]: show the page again.
    Expired,
}

/// Spends the form's id (one conditional write; the CSRF token is checked before).
pub(crate) async fn spend_form(v: &Visit<'_>, form: &Form) -> Result<FormUse, Failure> {
    let now = v.state.now();
    let made = form
        .get("form")
        .and_then(|f| f.split_once('.'))
        .filter(|(_, random)| random.len() == 22)
        .and_then(|(at, _)| at.parse::<u64>().ok());
    let Some(made) = made.filter(|&at| at <= now + 60 && now <= at + FORM_SECONDS) else {
        return Ok(FormUse::Expired);
    };
    let id = form.get("form").unwrap_or_default();
    let sessions = &v.state.store.sessions;
    if sessions
        .spend_form(v.workspace, id, made + FORM_SECONDS + 60)
        .await?
    {
        Ok(FormUse::Fresh)
    } else {
        Ok(FormUse::Repeated)
    }
}

/// Gives a spent form id back after its action failed (a storage error, a timeout), so the
/// person's retry is acted on rather than read as a repeat. Best effort: if this fails too,
/// the retry says it was already sent.
pub(crate) async fn release_form(v: &Visit<'_>, form: &Form) {
    if let Some(id) = form.get("form") {
        let sessions = &v.state.store.sessions;
        if let Err(e) = sessions.release_form(v.workspace, id).await {
            tracing::warn!(error = %e, "a spent form id could not be given back");
        }
    }
}

/// The CSRF token of this browser: the cookie's, or a new one (then `true`: set it).
pub(crate) fn csrf_token(v: &Visit<'_>) -> (String, bool) {
    match cookie(v.req, csrf_name(v.secure)) {
        Some(v) if v.len() == 43 => (v.to_owned(), false),
        _ => (crypto::new_secret(), true),
    }
}

pub(crate) fn set_csrf(v: &Visit<'_>, resp: &mut Response<Body>, token: &str) {
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict{}",
        csrf_name(v.secure),
        secure_flag(v.secure)
    );
    set(resp, &cookie);
}

/// Seconds the applications page's new-secret cookie lives: long enough to follow the 303.
const NEW_SECRET_SECONDS: u64 = 120;

fn new_secret_name(secure: bool) -> &'static str {
    if secure {
        "__Host-oauth-apps-secret"
    } else {
        "oauth-apps-secret"
    }
}

/// Carries a new client secret (`client_id.secret`) from a change on the applications page to
/// the page the browser lands on after the 303, which shows it once: never in a URL.
pub(crate) fn set_new_secret(v: &Visit<'_>, resp: &mut Response<Body>, value: &str) {
    let cookie = format!(
        "{}={value}; Path=/; Max-Age={NEW_SECRET_SECONDS}; HttpOnly; SameSite=Strict{}",
        new_secret_name(v.secure),
        secure_flag(v.secure)
    );
    set(resp, &cookie);
}

pub(crate) fn new_secret<'r>(v: &Visit<'r>) -> Option<&'r str> {
    cookie(v.req, new_secret_name(v.secure))
}

pub(crate) fn clear_new_secret(v: &Visit<'_>, resp: &mut Response<Body>) {
    let cookie = format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}",
        new_secret_name(v.secure),
        secure_flag(v.secure)
    );
    set(resp, &cookie);
}

fn set(resp: &mut Response<Body>, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_drops_secure() {
        assert!(is_loopback_http("http://127.0.0.1:9000"));
        assert!(is_loopback_http("http://localhost"));
        assert!(is_loopback_http("http://[::1]:9000"));
        assert!(!is_loopback_http("https://127.0.0.1"));
        assert!(!is_loopback_http("http://auth.example"));
        assert!(!is_loopback_http("http://127.0.0.1.evil.example"));
    }
}
