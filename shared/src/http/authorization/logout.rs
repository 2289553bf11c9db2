//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): `GET, POST
//! [/{workspace}]/oauth2/logout` ends this browser's session. With a valid `id_token_hint` (one
//! of our ID tokens for this workspace; an expired one will do, §2) it ends it at once;
//! without one the user confirms first (a POST with the CSRF token), so that no other site can
//! sign a user out. Afterwards the browser goes to `post_logout_redirect_uri` (with `state`)
//! only if the client the hint or `client_id` names registered it exactly; otherwise it sees a
//! "signed out" page. A bad hint or an unregistered URI is an error page, never a redirect.

use super::cookies::{self, Visit};
use super::pages;
use super::redirects::see_other;
use crate::config::AppState;
use crate::crypto;
use crate::http::failure::Failure;
use crate::http::request::{base_url, form_body, require_method};
use crate::protocol::error::OAuthError;
use crate::protocol::form::Form;
use crate::protocol::jwt::ID_TOKEN_TYP;
use crate::protocol::redirect_uri;
use crate::protocol::workspace;
use askama::Template;
use lambda_http::http::{header, HeaderValue, Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde_json::Value;

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage<'a> {
    nonce: &'a str,
    frame: &'a pages::Frame,
    signed_out: bool,
    action: &'a str,
    csrf: &'a str,
}

/// What the hint says: the client it was issued to, and the user.
struct Hint {
    client_id: String,
    sub: String,
}

fn bad(why: &str) -> Failure {
    OAuthError::invalid_request(why).into()
}

/// `id_token_hint` as one of our ID tokens for `issuer` (signature from our published keys,
/// `typ` JWT, `iss`); its expiry does not matter (§2).
async fn hint(state: &AppState, issuer: &str, raw: &str) -> Result<Hint, Failure> {
    let keys = &*state.store.keys;
    let verified = state.keys.verify(keys, raw, state.now()).await?;
    let claims = verified
        .filter(|v| v.header["typ"] == ID_TOKEN_TYP)
        .and_then(|v| serde_json::from_slice::<Value>(&v.payload).ok())
        .filter(|c| c["iss"] == issuer)
        .ok_or_else(|| bad("id_token_hint is not an ID token of this server"))?;
    let (Some(client_id), Some(sub)) = (claims["aud"].as_str(), claims["sub"].as_str()) else {
        return Err(bad("id_token_hint is not an ID token of this server"));
    };
    Ok(Hint {
        client_id: client_id.to_owned(),
        sub: sub.to_owned(),
    })
}

pub(crate) async fn handle(
    state: &AppState,
    ws: &str,
    req: &Request,
) -> Result<Response<Body>, Failure> {
    require_method(req, &[Method::GET, Method::POST])?;
    let raw_query = req.uri().query().unwrap_or("");
    let (query, _) = Form::parse_keeping_first(raw_query.as_bytes())?;
    let body = match *req.method() {
        Method::POST => Some(form_body(req)?),
        _ => None,
    };
    // §2: the parameters come in the query (GET) or the form (POST).
    let param = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .or_else(|| query.get(name))
            .map(str::to_owned)
    };
    let base = base_url(state.settings.issuer.as_deref(), req);
    let issuer = workspace::issuer(&base, ws);
    let hinted = match param("id_token_hint") {
        Some(raw) => Some(hint(state, &issuer, &raw).await?),
        None => None,
    };
    let named = param("client_id");
    if let (Some(h), Some(c)) = (&hinted, &named) {
        if h.client_id != *c {
            return Err(bad(
                "client_id is not the client the id_token_hint was issued to",
            ));
        }
    }
    let client_id = hinted.as_ref().map(|h| h.client_id.clone()).or(named);
    let back = match param("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let client = match &client_id {
                Some(id) => state.store.clients.client(ws, id).await?,
                None => None,
            };
            let registered =
                client.is_some_and(|c| c.policy.post_logout_redirect_uris.contains(&uri));
            if !registered {
                return Err(bad(
                    "post_logout_redirect_uri is not registered for this client (exact match required)",
                ));
            }
            Some(with_state(&uri, param("state").as_deref()))
        }
    };
    let frame = pages::Frame::load(state, ws, &base, super::locale::of(req)).await;
    let v = Visit {
        state,
        req,
        workspace: ws,
        frame: &frame,
        secure: !cookies::is_loopback_http(&base),
    };
    let confirmed = body
        .as_ref()
        .is_some_and(|b| b.get("step") == Some("logout") && cookies::csrf_matches(&v, b));
    // §2: the user is asked unless the hint is the signed-in user's own (anyone can hold an
    // ID token of someone, their own, and send others here with it).
    let session = cookies::current_session(&v).await?;
    let hint_is_theirs = match (&hinted, &session) {
        (Some(h), Some(s)) => h.sub == s.sub,
        (Some(_), None) => true, // nobody is signed in: nothing to end
        (None, _) => false,
    };
    if !hint_is_theirs && !confirmed {
        let form_action = back_origin(back.as_deref());
        let action = format!("{}?{raw_query}", req.uri().path());
        return Ok(confirm(&v, &action, &form_action));
    }
    cookies::end_session(&v).await?;
    let mut resp = match back {
        Some(to) if *req.method() == Method::POST => see_other(&to),
        Some(to) => found(&to),
        None => page(v.frame, true, ("", ""), "'self'"),
    };
    cookies::clear_session(&v, &mut resp);
    Ok(resp)
}

fn with_state(uri: &str, state: Option<&str>) -> String {
    match state {
        None => uri.to_owned(),
        Some(s) => {
            let sep = if uri.contains('?') { '&' } else { '?' };
            let encoded: String = url_encode(s);
            format!("{uri}{sep}state={encoded}")
        }
    }
}

fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

fn found(to: &str) -> Response<Body> {
    let mut resp = Response::new(Body::Empty);
    *resp.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(to) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    pages::protect(&mut resp);
    resp
}

fn page(
    frame: &pages::Frame,
    signed_out: bool,
    (action, csrf): (&str, &str),
    form_action: &str,
) -> Response<Body> {
    let nonce = crypto::random_string(16);
    let p = LogoutPage {
        nonce: &nonce,
        frame,
        signed_out,
        action,
        csrf,
    };
    pages::html(200, &nonce, &p, form_action)
}

/// The CSP `form-action` of the confirmation page: here, and the client's origin the POST's
/// 303 leads to (Chrome applies `form-action` to that redirect too).
fn back_origin(back: Option<&str>) -> String {
    let origin = back.and_then(redirect_uri::origin).unwrap_or_default();
    format!("'self' {origin}").trim_end().to_owned()
}

/// The confirmation page: a POST back here with the CSRF token.
fn confirm(v: &Visit<'_>, action: &str, form_action: &str) -> Response<Body> {
    let (csrf, is_new) = cookies::csrf_token(v);
    let mut resp = page(v.frame, false, (action, &csrf), form_action);
    if is_new {
        cookies::set_csrf(v, &mut resp, &csrf);
    }
    resp
}
