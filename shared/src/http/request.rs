//! Reading what the protocol needs from a Lambda HTTP request.

use crate::protocol::error::OAuthError;
use crate::protocol::form::Form;
use lambda_http::http::{header, Method};
use lambda_http::{Body, Request};

/// Far above any legitimate token or authorize form; larger bodies are refused unread.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// The body as bytes: API Gateway and `cargo lambda` deliver forms base64-encoded
/// (`Body::Binary`) as often as text.
pub fn body(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    }
}

pub fn header(req: &Request, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

pub fn require_method(req: &Request, allowed: &[Method]) -> Result<(), OAuthError> {
    if allowed.contains(req.method()) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    Err(
        OAuthError::invalid_request(format!("method not allowed: use {}", names.join(" or ")))
            .with_status(405),
    )
}

/// The form body of a POST: `application/x-www-form-urlencoded`, bounded in size, strictly
/// decoded, no repeated parameter.
pub fn form_body(req: &Request) -> Result<Form, OAuthError> {
    let content_type = header(req, header::CONTENT_TYPE).unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )
        .with_status(415));
    }
    let body = body(req);
    if body.len() > MAX_FORM_BYTES {
        return Err(OAuthError::invalid_request(format!(
            "the body is larger than {MAX_FORM_BYTES} bytes"
        ))
        .with_status(413));
    }
    Form::parse(body)
}

/// The query string, strictly decoded.
pub fn query(req: &Request) -> Result<Form, OAuthError> {
    Form::parse(req.uri().query().unwrap_or("").as_bytes())
}

/// The value of a cookie, from every `Cookie` header (API Gateway's `cookies` arrive there).
pub fn cookie<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The public base URL: `ISSUER`, or https and the host the request was sent to.
pub fn base_url(configured: Option<&str>, req: &Request) -> String {
    match configured {
        Some(issuer) => issuer.to_owned(),
        None => format!(
            "https://{}",
            header(req, header::HOST).unwrap_or("localhost")
        ),
    }
}
