//! CORS for browser apps (the Fetch standard): the token and revocation endpoints answer an
//! origin only where the client the request names registered a redirect URI on it; metadata
//! is public. No credentials mode anywhere (these endpoints use no cookies), so never a
//! wildcard with credentials. The authorization endpoint's pages never carry CORS headers.

use super::request::{body, header};
use crate::config::AppState;
use crate::protocol::client_auth;
use crate::protocol::form::Form;
use crate::protocol::redirect_uri;
use crate::protocol::token_value::TokenName;
use lambda_http::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, ORIGIN, VARY,
};
use lambda_http::http::{HeaderValue, Method};
use lambda_http::{Body, Request, Response};

/// An answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`), or `None` for any
/// other request. It lets any origin ask: the real answer carries the origin only for a
/// client that registered it, and without that the browser hides the answer.
pub(crate) fn preflight(req: &Request) -> Option<Response<Body>> {
    if req.method() != Method::OPTIONS || !req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD)
    {
        return None;
    }
    let origin = header(req, ORIGIN)?;
    let mut resp = Response::new(Body::Empty);
    *resp.status_mut() = lambda_http::http::StatusCode::NO_CONTENT;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    h.insert(VARY, HeaderValue::from_static("Origin"));
    Some(resp)
}

/// The client a token or revocation request names: Basic, `client_id`, or the client a
/// refresh token's value names.
fn client_named(req: &Request) -> Option<String> {
    let form = Form::parse(body(req)).ok()?;
    let named = form
        .get("refresh_token")
        .or(form.get("token"))
        .and_then(TokenName::parse)
        .map(|n| n.client_id);
    let presented = client_auth::presented(header(req, AUTHORIZATION), &form, named.as_deref());
    presented.ok().map(|p| p.client_id)
}

/// The origin a cross-origin request's answer allows, if any.
#[derive(Debug, Default)]
pub(crate) struct Cors {
    allowed: Option<HeaderValue>,
}

/// The request's origin is allowed when it is the origin of one of the named client's
/// redirect URIs. Read before the request is handled (the handler consumes it).
pub(crate) async fn registered_origin(state: &AppState, workspace: &str, req: &Request) -> Cors {
    let Some(origin) = header(req, ORIGIN) else {
        return Cors::default();
    };
    let Some(client_id) = client_named(req) else {
        return Cors::default();
    };
    // A lookup failure only leaves the header out; the answer itself stands.
    let Ok(Some(client)) = state.store.clients.client(workspace, &client_id).await else {
        return Cors::default();
    };
    let registered = client
        .redirect_uris
        .iter()
        .filter_map(|u| redirect_uri::origin(u))
        .any(|o| o == origin);
    Cors {
        allowed: registered
            .then(|| HeaderValue::from_str(origin).ok())
            .flatten(),
    }
}

impl Cors {
    /// The answer varies with `Origin` whether or not one was sent (a cache must not give
    /// one origin's answer to another).
    pub(crate) fn apply(self, resp: &mut Response<Body>) {
        let h = resp.headers_mut();
        h.insert(VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = self.allowed {
            h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
    }
}

/// Public documents (metadata): any origin may read them.
pub(crate) fn allow_any_origin(resp: &mut Response<Body>) {
    resp.headers_mut()
        .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
}
