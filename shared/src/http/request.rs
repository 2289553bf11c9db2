//! Reading what the protocol needs from a Lambda HTTP request.

use super::failure::Failure;
use crate::protocol::error::OAuthError;
use crate::protocol::form::Form;
use lambda_http::http::{header, Method};
use lambda_http::{Body, Request};

/// Far above any legitimate token or authorize form; larger bodies are refused unread.
pub(crate) const MAX_FORM_BYTES: usize = 16 * 1024;

/// The body as bytes: API Gateway and `cargo lambda` deliver forms base64-encoded
/// (`Body::Binary`) as often as text.
pub(crate) fn body(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    }
}

/// The token of an `Authorization: Bearer <token>` value (RFC 6750 §2.1; the scheme in any
/// case), or `None`.
pub(crate) fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

pub(crate) fn header(req: &Request, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

pub(crate) fn require_method(req: &Request, allowed: &'static [Method]) -> Result<(), Failure> {
    if allowed.contains(req.method()) {
        Ok(())
    } else {
        Err(Failure::MethodNotAllowed(allowed))
    }
}

/// The form body of a POST: `application/x-www-form-urlencoded`, bounded in size, strictly
/// decoded, no repeated parameter. A body without a `Content-Type` is read as a form too
/// (RFC 9110 §8.3 lets the recipient look; seed clients send none); any other type is refused.
pub(crate) fn form_body(req: &Request) -> Result<Form, Failure> {
    if let Some(content_type) = header(req, header::CONTENT_TYPE) {
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(Failure::UnsupportedMediaType);
        }
    }
    let body = body(req);
    if body.len() > MAX_FORM_BYTES {
        return Err(Failure::PayloadTooLarge(MAX_FORM_BYTES));
    }
    Ok(Form::parse(body)?)
}

/// The query string, strictly decoded.
pub(crate) fn query(req: &Request) -> Result<Form, OAuthError> {
    Form::parse(req.uri().query().unwrap_or("").as_bytes())
}

/// The value of a cookie, from every `Cookie` header (API Gateway's `cookies` arrive there).
pub(crate) fn cookie<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The address the request came from, as API Gateway saw it (`requestContext.http.sourceIp`;
/// never a header a client could set), or `unknown`.
pub(crate) fn source(req: &Request) -> String {
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".to_owned())
}

/// The issuer identifier of workspace `ws` (RFC 8414 §2, RFC 9207) for this request.
pub(crate) fn issuer(state: &crate::config::AppState, req: &Request, ws: &str) -> String {
    let base = base_url(state.settings.issuer.as_deref(), req);
    crate::protocol::workspace::issuer(&base, ws)
}

/// The public base URL: `ISSUER`, or https and the host the request was sent to.
pub(crate) fn base_url(configured: Option<&str>, req: &Request) -> String {
    match configured {
        Some(issuer) => issuer.to_owned(),
        None => format!(
            "https://{}",
            header(req, header::HOST).unwrap_or("localhost")
        ),
    }
}
