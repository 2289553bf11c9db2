//! `GET, POST /oauth2/authorize` (and its workspace and seed-alias paths): validates the
//! request, authenticates the resource owner on a login page, asks for consent, and sends the
//! browser back with a code (or, for implicit clients, a token).
//!
//! The OAuth parameters always come from the URL, and are validated again on every step; the
//! forms carry only the step, the credentials or the decision, and a CSRF token checked against
//! a cookie (double submit). After a POST the browser is sent on with a 303.

use super::pages::{self, Consent, Login};
use super::request::{base_url, cookie, form_body, require_method};
use super::response::error_page;
use crate::config::AppState;
use crate::crypto;
use crate::protocol::authorize::{self, AuthorizationRequest, Rejection};
use crate::protocol::error::{Error, ErrorCode, OAuthError};
use crate::protocol::form::Form;
use crate::protocol::model::{Client, Owner, Session};
use crate::protocol::{grants, redirect, workspace};
use crate::service::{self, authorize as flow};
use lambda_http::http::{header, HeaderValue, Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use std::sync::Arc;

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    let resp = match respond(state, &req).await {
        Ok(resp) => resp,
        Err(e) => error_page(&e),
    };
    tracing::info!(path = %req.uri().path(), method = %req.method(), status = resp.status().as_u16(), "authorize request");
    resp
}

/// Everything the steps share about one request.
struct Ctx<'a> {
    state: &'a AppState,
    req: &'a Request,
    client: Arc<Client>,
    request: AuthorizationRequest,
    /// RFC 9207 `iss` of this workspace.
    issuer: String,
    /// This endpoint's URL with the original query: where the forms post.
    action: String,
    /// Whether cookies are `Secure` (all but a loopback http dev origin).
    secure: bool,
}

async fn respond(state: &AppState, req: &Request) -> Result<Response<Body>, Error> {
    let path = req.uri().path();
    let ws = workspace::from_path(path, "authorize")?;
    require_method(req, &[Method::GET, Method::POST])?;
    let raw_query = req.uri().query().unwrap_or("");
    let (params, repeated) = Form::parse_keeping_first(raw_query.as_bytes())?;
    let client_id = authorize::client_id(&params, &repeated)?;
    let Some(client) = state.client(&ws, &client_id).await? else {
        return Err(OAuthError::invalid_request("unknown client_id").into());
    };
    let base = base_url(state.settings.issuer.as_deref(), req);
    let issuer = issuer_of(&base, &ws);
    let request = match authorize::validate(&params, &repeated, &client) {
        Ok(r) => r,
        Err(Rejection::Page(e)) => return Err(e.into()),
        Err(Rejection::Redirect(to, e)) => {
            return Ok(redirect_to(req, &flow::error_url(&to, &e, &issuer)))
        }
    };
    let ctx = Ctx {
        state,
        req,
        client,
        request,
        issuer,
        action: format!("{path}?{raw_query}"),
        secure: !is_loopback_http(&base),
    };
    if req.method() == Method::POST {
        post(&ctx).await
    } else {
        get(&ctx).await
    }
}

/// RFC 8414 §2: the default workspace is the base URL, a named one adds its path.
pub fn issuer_of(base: &str, ws: &str) -> String {
    if ws == workspace::DEFAULT_WORKSPACE {
        base.to_owned()
    } else {
        format!("{base}/{ws}")
    }
}

fn is_loopback_http(base: &str) -> bool {
    base.strip_prefix("http://")
        .and_then(|rest| {
            let host = rest.split(['/', ':']).next()?;
            let host = if rest.starts_with('[') {
                rest.split_inclusive(']').next()?
            } else {
                host
            };
            Some(redirect::is_loopback(host))
        })
        .unwrap_or(false)
}

async fn get(ctx: &Ctx<'_>) -> Result<Response<Body>, Error> {
    let session = if ctx.request.force_login {
        None
    } else {
        current_session(ctx).await?
    };
    match session {
        None => Ok(login_page(ctx, 200, "", None)),
        Some(s) => continue_as(ctx, &s).await,
    }
}

/// A signed-in user: ask for consent, or finish.
async fn continue_as(ctx: &Ctx<'_>, s: &Session) -> Result<Response<Body>, Error> {
    if flow::needs_consent(ctx.state, &ctx.client, &s.sub, &ctx.request.scope).await? {
        return Ok(consent_page(ctx, &s.username));
    }
    let location =
        flow::complete(ctx.state, &ctx.client, &ctx.request, &owner(s), &ctx.issuer).await?;
    Ok(redirect_to(ctx.req, &location))
}

async fn post(ctx: &Ctx<'_>) -> Result<Response<Body>, Error> {
    let form = form_body(ctx.req)?;
    let csrf_ok = match (form.get("csrf"), cookie(ctx.req, csrf_cookie(ctx.secure))) {
        (Some(sent), Some(kept)) => crypto::constant_time_eq(sent.as_bytes(), kept.as_bytes()),
        _ => false,
    };
    match form.get("step") {
        Some("login") => {
            let username = form.get("username").unwrap_or("");
            if !csrf_ok {
                return Ok(login_page(ctx, 400, username, Some(EXPIRED)));
            }
            let password = form.get("password").unwrap_or("");
            let ws = &ctx.client.workspace;
            // No such user can exist: answer as for a wrong password, without a lookup.
            if username.is_empty() || username.len() > grants::MAX_USERNAME {
                return Ok(login_page(ctx, 200, username, Some(WRONG_CREDENTIALS)));
            }
            let Some(user) =
                service::login::verify_password(ctx.state, ws, username, password).await?
            else {
                return Ok(login_page(ctx, 200, username, Some(WRONG_CREDENTIALS)));
            };
            let (value, _) = flow::start_session(ctx.state, &user).await?;
            let mut resp = see_other(&without_prompt(&ctx.action));
            let cookie = format!(
                "{}={value}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
                session_cookie(ws, ctx.secure),
                ctx.state.settings.session_ttl,
                if ctx.secure { "; Secure" } else { "" }
            );
            set_cookie(&mut resp, &cookie);
            Ok(resp)
        }
        Some("consent") => {
            let Some(session) = current_session(ctx).await? else {
                return Ok(login_page(
                    ctx,
                    200,
                    "",
                    Some("Your session ended. Sign in again."),
                ));
            };
            if !csrf_ok {
                return Ok(consent_page(ctx, &session.username));
            }
            match form.get("decision") {
                Some("allow") => {
                    flow::remember_consent(
                        ctx.state,
                        &ctx.client,
                        &session.sub,
                        &ctx.request.scope,
                    )
                    .await?;
                    let location = flow::complete(
                        ctx.state,
                        &ctx.client,
                        &ctx.request,
                        &owner(&session),
                        &ctx.issuer,
                    )
                    .await?;
                    Ok(see_other(&location))
                }
                Some("deny") => {
                    let denied = OAuthError::new(
                        ErrorCode::AccessDenied,
                        "the resource owner denied the request",
                    );
                    Ok(see_other(&flow::error_url(
                        &ctx.request.return_to,
                        &denied,
                        &ctx.issuer,
                    )))
                }
                _ => Err(OAuthError::invalid_request("decision must be allow or deny").into()),
            }
        }
        _ => Err(OAuthError::invalid_request("unknown form step").into()),
    }
}

const WRONG_CREDENTIALS: &str =
    "That username and password did not work, or the account is temporarily locked. Try again.";
const EXPIRED: &str = "The form expired. Sign in again.";

fn owner(s: &Session) -> Owner {
    Owner {
        username: s.username.clone(),
        sub: s.sub.clone(),
    }
}

async fn current_session(ctx: &Ctx<'_>) -> Result<Option<Session>, Error> {
    let ws = &ctx.client.workspace;
    match cookie(ctx.req, &session_cookie(ws, ctx.secure)) {
        Some(value) => flow::session(ctx.state, ws, value).await,
        None => Ok(None),
    }
}

/// Cookie names: the `__Host-` prefix (Secure, no Domain, Path=/) wherever cookies are Secure.
fn session_cookie(ws: &str, secure: bool) -> String {
    format!("{}oauth-session-{ws}", if secure { "__Host-" } else { "" })
}

fn csrf_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-oauth-csrf"
    } else {
        "oauth-csrf"
    }
}

/// The CSRF token of this browser: the cookie's, or a new one (set with the page).
fn csrf_token(ctx: &Ctx<'_>) -> (String, bool) {
    match cookie(ctx.req, csrf_cookie(ctx.secure)) {
        Some(v) if v.len() == 43 => (v.to_owned(), false),
        _ => (crypto::new_secret(), true),
    }
}

fn with_csrf_cookie(
    ctx: &Ctx<'_>,
    mut resp: Response<Body>,
    token: &str,
    is_new: bool,
) -> Response<Body> {
    if is_new {
        let cookie = format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Strict{}",
            csrf_cookie(ctx.secure),
            if ctx.secure { "; Secure" } else { "" }
        );
        set_cookie(&mut resp, &cookie);
    }
    resp
}

fn login_page(ctx: &Ctx<'_>, status: u16, username: &str, error: Option<&str>) -> Response<Body> {
    let (csrf, is_new) = csrf_token(ctx);
    let nonce = pages::nonce();
    let page = Login {
        nonce: nonce.clone(),
        client_name: &ctx.client.name,
        action: &ctx.action,
        csrf: &csrf,
        username,
        error,
    };
    with_csrf_cookie(ctx, pages::html(status, &nonce, &page), &csrf, is_new)
}

fn consent_page(ctx: &Ctx<'_>, username: &str) -> Response<Body> {
    let (csrf, is_new) = csrf_token(ctx);
    let nonce = pages::nonce();
    let page = Consent {
        nonce: nonce.clone(),
        client_name: &ctx.client.name,
        action: &ctx.action,
        csrf: &csrf,
        username,
        scopes: ctx.request.scope.iter().collect(),
    };
    with_csrf_cookie(ctx, pages::html(200, &nonce, &page), &csrf, is_new)
}

fn set_cookie(resp: &mut Response<Body>, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Seed 000's body of a redirect answer to GET.
#[derive(Serialize)]
struct RedirectBody<'a> {
    url: &'a str,
    status: u16,
}

/// 302 for a GET, with seed 000's JSON body; 303 after a POST.
fn redirect_to(req: &Request, location: &str) -> Response<Body> {
    if req.method() == Method::POST {
        return see_other(location);
    }
    let body = serde_json::to_string(&RedirectBody {
        url: location,
        status: 302,
    })
    .unwrap_or_default();
    let mut resp = Response::new(Body::Text(body));
    *resp.status_mut() = StatusCode::FOUND;
    pages::protect(&mut resp);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(location) {
        h.insert(header::LOCATION, v);
    }
    resp
}

fn see_other(location: &str) -> Response<Body> {
    let mut resp = Response::new(Body::Empty);
    *resp.status_mut() = StatusCode::SEE_OTHER;
    pages::protect(&mut resp);
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// The authorize URL again, minus `prompt`: after a forced login, the next step must not
/// force it again.
fn without_prompt(action: &str) -> String {
    let Some((path, query)) = action.split_once('?') else {
        return action.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && *p != "prompt" && !p.starts_with("prompt="))
        .collect();
    format!("{path}?{}", kept.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_is_dropped_and_the_rest_kept() {
        assert_eq!(
            without_prompt("/oauth2/authorize?client_id=a&prompt=login&state=x"),
            "/oauth2/authorize?client_id=a&state=x"
        );
        assert_eq!(without_prompt("/p?prompts=1"), "/p?prompts=1");
    }

    #[test]
    fn only_loopback_http_drops_secure() {
        assert!(is_loopback_http("http://127.0.0.1:9000"));
        assert!(is_loopback_http("http://localhost"));
        assert!(is_loopback_http("http://[::1]:9000"));
        assert!(!is_loopback_http("https://127.0.0.1"));
        assert!(!is_loopback_http("http://auth.example"));
        assert!(!is_loopback_http("http://127.0.0.1.evil.example"));
    }

    #[test]
    fn issuers_per_workspace() {
        assert_eq!(issuer_of("https://as", "default"), "https://as");
        assert_eq!(issuer_of("https://as", "acme"), "https://as/acme");
    }
}
