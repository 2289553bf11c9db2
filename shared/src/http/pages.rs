//! HTML pages of the authorization endpoint, rendered with askama (escaping by default), and
//! the headers every page and redirect carries.

use crate::crypto;
use askama::Template;
use lambda_http::http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Response};

#[derive(Template)]
#[template(path = "login.html")]
pub struct Login<'a> {
    pub nonce: String,
    pub client_name: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub username: &'a str,
    pub error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub struct Consent<'a> {
    pub nonce: String,
    pub client_name: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub username: &'a str,
    pub scopes: Vec<&'a str>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub nonce: String,
    pub code: &'a str,
    pub description: &'a str,
}

/// A fresh value for the page's CSP `style-src` nonce.
pub fn nonce() -> String {
    crypto::random_string(16)
}

/// Headers that keep the responses of this endpoint out of caches, frames and referrers.
pub fn protect(resp: &mut Response<Body>) {
    let h = resp.headers_mut();
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

/// Renders a page; `nonce` must be the one the template was given.
pub fn html(status: u16, nonce: &str, page: &impl Template) -> Response<Body> {
    let text = page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template rendering failed");
        "<!doctype html><title>Error</title><p>Something went wrong.</p>".into()
    });
    let mut resp = Response::new(Body::Text(text));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    protect(&mut resp);
    let csp = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"
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
