//! The one place a failure becomes a response: its status and headers, and its body as JSON
//! (RFC 6749 §5.2; on seed 000's paths with its fields) or as an HTML page (the authorization
//! endpoint).

use super::routes::Dialect;
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::service;
use crate::store::StoreError;
use lambda_http::http::{header, HeaderValue, Method};
use lambda_http::{Body, Response};
use serde::Serialize;

/// Everything a request can fail with, at the edge.
#[derive(Debug)]
pub(crate) enum Failure {
    Service(service::Error),
    /// No route matches the path.
    NotFound,
    MethodNotAllowed(&'static [Method]),
    UnsupportedMediaType,
    PayloadTooLarge(usize),
    /// The request ran out of time (a DynamoDB that does not answer).
    DeadlineExceeded,
}

impl From<service::Error> for Failure {
    fn from(e: service::Error) -> Self {
        Self::Service(e)
    }
}

impl From<OAuthError> for Failure {
    fn from(e: OAuthError) -> Self {
        Self::Service(e.into())
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Self::Service(e.into())
    }
}

/// What the client is told: status, RFC error code and description, and for a server failure
/// nothing more (the detail is logged here).
struct Told {
    status: u16,
    code: &'static str,
    description: String,
    allow: Option<&'static [Method]>,
    /// The scheme a 401 asks for, and whether the challenge names the error.
    challenge: Challenge,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Challenge {
    Basic,
    /// RFC 6750 §3: a bearer token was sent and refused.
    BearerRefused,
    /// RFC 6750 §3.1: none was sent, so the challenge names no error.
    BearerRequired,
    /// RFC 6750 §3.1: a 403 for a token without the scope the resource needs.
    BearerScope,
}

fn challenge_of(code: ErrorCode) -> Challenge {
    match code {
        ErrorCode::InvalidToken => Challenge::BearerRefused,
        ErrorCode::TokenRequired => Challenge::BearerRequired,
        ErrorCode::InsufficientScope => Challenge::BearerScope,
        _ => Challenge::Basic,
    }
}

const SERVER_FAILURE: &str = "The server could not complete the request; try again.";
const UNAVAILABLE: &str =
    "The server is busy or its storage did not answer in time; try again shortly.";

/// Seconds a client is asked to wait after a 503 (`Retry-After`).
const RETRY_AFTER: &str = "1";

impl Failure {
    fn told(&self) -> Told {
        let request = |status, description: String| Told {
            status,
            code: ErrorCode::InvalidRequest.as_str(),
            description,
            allow: None,
            challenge: Challenge::Basic,
        };
        match self {
            Self::Service(service::Error::OAuth(e)) => Told {
                status: status_of(e.code),
                code: e.code.as_str(),
                description: e.description.clone(),
                allow: None,
                challenge: challenge_of(e.code),
            },
            Self::Service(service::Error::Forbidden(e)) => Told {
                status: 403,
                code: e.code.as_str(),
                description: e.description.clone(),
                allow: None,
                challenge: Challenge::Basic,
            },
            Self::Service(service::Error::Storage(StoreError::Unavailable(detail))) => {
                tracing::warn!(error = %detail, "storage unavailable");
                unavailable()
            }
            Self::DeadlineExceeded => {
                tracing::warn!("request deadline exceeded");
                unavailable()
            }
            Self::Service(service::Error::Keys(detail)) => {
                tracing::error!(error = %detail, "signing keys");
                request(500, SERVER_FAILURE.into())
            }
            Self::Service(service::Error::Storage(detail)) => {
                tracing::error!(error = %detail, "storage failure");
                request(500, SERVER_FAILURE.into())
            }
            Self::NotFound => request(404, "no such endpoint".into()),
            Self::MethodNotAllowed(allowed) => Told {
                allow: Some(allowed),
                ..request(405, format!("method not allowed: use {}", names(allowed)))
            },
            Self::UnsupportedMediaType => request(
                415,
                "the body must be application/x-www-form-urlencoded (RFC 6749 §3.2); JSON and other types are not read".into(),
            ),
            Self::PayloadTooLarge(max) => {
                request(413, format!("the body is larger than {max} bytes"))
            }
        }
    }

    /// The JSON answer of the token, revocation, introspection and metadata endpoints (and of
    /// the authorization endpoint on seed 000's path): RFC 6749 §5.2's members, and in seed
    /// 000's dialect its `ValidationExceptionDto` / `ExceptionDto` fields.
    pub(crate) fn into_json(self, dialect: Dialect) -> Response<Body> {
        let told = self.told();
        let (code, description) = if told.status == 500 {
            ("server_error", SERVER_FAILURE)
        } else {
            (told.code, told.description.as_str())
        };
        let mut resp = match dialect {
            Dialect::Rfc => super::response::json(
                told.status,
                &RfcBody {
                    error: code,
                    error_description: description,
                },
            ),
            Dialect::Seed000 if told.status == 500 => {
                super::response::json(500, &ExceptionBody::default())
            }
            Dialect::Seed000 => super::response::json(
                told.status,
                &ValidationBody {
                    error: code,
                    error_description: description,
                    message: [description],
                    status_code: told.status,
                },
            ),
        };
        add_headers(&mut resp, &told);
        resp
    }

    /// The HTML answer of the authorization endpoint, for errors it may not redirect
    /// (RFC 6749 §4.1.2.1).
    pub(crate) fn into_page(self, frame: &super::authorization::pages::Frame) -> Response<Body> {
        let told = self.told();
        let code = if told.status == 500 {
            "server_error"
        } else {
            told.code
        };
        let mut resp =
            super::authorization::pages::error(frame, told.status, code, &told.description);
        add_headers(&mut resp, &told);
        resp
    }
}

fn unavailable() -> Told {
    Told {
        status: 503,
        code: ErrorCode::TemporarilyUnavailable.as_str(),
        description: UNAVAILABLE.into(),
        allow: None,
        challenge: Challenge::Basic,
    }
}

/// The status an RFC error code travels with (RFC 6749 §5.2).
fn status_of(code: ErrorCode) -> u16 {
    match code {
        ErrorCode::InvalidClient | ErrorCode::InvalidToken | ErrorCode::TokenRequired => 401,
        ErrorCode::InsufficientScope => 403,
        ErrorCode::ServerError => 500,
        ErrorCode::TemporarilyUnavailable => 503,
        _ => 400,
    }
}

fn names(methods: &[Method]) -> String {
    let names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    names.join(" or ")
}

/// Every 401 names the scheme to use (RFC 9110 §11.6.1, RFC 6749 §5.2); every 405 the
/// methods that are allowed (RFC 9110 §15.5.6); every 503 when to try again (§10.2.3).
fn add_headers(resp: &mut Response<Body>, told: &Told) {
    let h = resp.headers_mut();
    if told.status == 503 {
        h.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER));
    }
    if told.status == 401 || told.challenge == Challenge::BearerScope {
        let challenge = match told.challenge {
            Challenge::BearerScope => {
                "Bearer realm=\"oauth\", error=\"insufficient_scope\", scope=\"openid\""
            }
            // RFC 6750 §3: the registration endpoints take bearer tokens.
            Challenge::BearerRefused => "Bearer realm=\"oauth\", error=\"invalid_token\"",
            Challenge::BearerRequired => "Bearer realm=\"oauth\"",
            Challenge::Basic => "Basic realm=\"oauth\", charset=\"UTF-8\"",
        };
        h.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    if let Some(allowed) = told.allow {
        let list: Vec<&str> = allowed.iter().map(Method::as_str).collect();
        if let Ok(v) = HeaderValue::from_str(&list.join(", ")) {
            h.insert(header::ALLOW, v);
        }
    }
}

/// RFC 6749 §5.2 body.
#[derive(Serialize)]
struct RfcBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// RFC 6749 §5.2 body, with seed 000's `ValidationExceptionDto` fields beside it.
#[derive(Serialize)]
struct ValidationBody<'a> {
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

impl Default for ExceptionBody {
    fn default() -> Self {
        Self {
            message: SERVER_FAILURE,
            error: "server_error",
            status_code: 500,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_401_has_a_challenge_and_every_405_an_allow() {
        let r = Failure::from(OAuthError::client_authentication_failed()).into_json(Dialect::Rfc);
        assert_eq!(r.status(), 401);
        assert!(r.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Basic"));
        let frame =
            super::super::authorization::pages::Frame::plain("default", "https://a.example");
        let r = Failure::MethodNotAllowed(&[Method::GET, Method::POST]).into_page(&frame);
        assert_eq!(r.status(), 405);
        assert_eq!(r.headers()[header::ALLOW], "GET, POST");
        let r = Failure::from(OAuthError::invalid_request("x")).into_json(Dialect::Rfc);
        assert!(r.headers().get(header::WWW_AUTHENTICATE).is_none());
    }
}
