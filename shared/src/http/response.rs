//! Responses: JSON bodies with the headers RFC 6749 §5.1 asks for, and the single mapping from
//! [`Error`] to the wire.

use crate::protocol::error::Error;
use lambda_http::http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

/// A JSON response that no cache may keep (tokens and errors alike).
pub fn json(status: u16, body: &impl Serialize) -> Response<Body> {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    let mut resp = no_store(status, Body::Text(text));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A response with `Cache-Control: no-store` and `Pragma: no-cache`.
pub fn no_store(status: u16, body: Body) -> Response<Body> {
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// RFC 6749 §5.2 body, with seed 000's `ValidationExceptionDto` fields beside it.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
    message: [&'a str; 1],
    #[serde(rename = "statusCode")]
    status_code: u16,
}

/// Seed 000's `ExceptionDto`: what a server failure looks like, with nothing internal in it.
#[derive(Serialize)]
struct ExceptionBody {
    message: &'static str,
    error: &'static str,
    #[serde(rename = "statusCode")]
    status_code: u16,
}

/// The one place an error becomes a response. Storage detail is logged here and never sent.
pub fn error(err: &Error) -> Response<Body> {
    match err {
        Error::OAuth(e) => {
            let mut resp = json(
                e.status,
                &ErrorBody {
                    error: e.code.as_str(),
                    error_description: &e.description,
                    message: [&e.description],
                    status_code: e.status,
                },
            );
            if e.basic_challenge {
                resp.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"oauth\", charset=\"UTF-8\""),
                );
            }
            if e.status == 405 {
                resp.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            resp
        }
        Error::Storage(detail) => {
            tracing::error!(error = %detail, "storage failure");
            json(
                500,
                &ExceptionBody {
                    message: "The server could not complete the request; try again.",
                    error: "server_error",
                    status_code: 500,
                },
            )
        }
    }
}

/// The HTML counterpart of [`error`], for the authorization endpoint's browser-facing errors
/// (never redirected: RFC 6749 §4.1.2.1).
pub fn error_page(err: &Error) -> Response<Body> {
    use super::pages;
    let nonce = pages::nonce();
    match err {
        Error::OAuth(e) => {
            let mut resp = pages::html(
                e.status,
                &nonce,
                &pages::ErrorPage {
                    nonce: nonce.clone(),
                    code: e.code.as_str(),
                    description: &e.description,
                },
            );
            if e.status == 405 {
                resp.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
            }
            resp
        }
        Error::Storage(detail) => {
            tracing::error!(error = %detail, "storage failure");
            pages::html(
                500,
                &nonce,
                &pages::ErrorPage {
                    nonce: nonce.clone(),
                    code: "server_error",
                    description: "The server could not complete the request; try again.",
                },
            )
        }
    }
}
