//! The authorize function's pages. `GET, POST /oauth2/authorize` (and its workspace and
//! seed-alias paths): validates the request, authenticates the resource owner on a login
//! page, asks for consent, and sends the browser back with a code (or, for implicit clients,
//! a token). It also dispatches the applications page (`http::apps`), which shares the login
//! session, the cookies and the page rules kept here.
//!
//! The OAuth parameters always come from the URL, and are validated again on every step; the
//! forms carry only the step, the credentials or the decision, a CSRF token checked against
//! a cookie (double submit), and a single-use form id (`cookies::spend_form`). After a POST
//! the browser is sent on with a 303.

mod consent;
pub(crate) mod cookies;
pub(crate) mod locale;
pub(crate) mod login;
mod logout;
pub mod pages;
pub(crate) mod redirects;

use super::failure::Failure;
use super::request::{base_url, form_body, require_method};
use super::routes::{self, Dialect, Endpoint, Resolved};
use crate::config::AppState;
use crate::protocol::authorization_request::{self, AuthorizationRequest, Rejection};
use crate::protocol::authorization_response;
use crate::protocol::client::Client;
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::form::Form;
use crate::protocol::user::Session;
use crate::protocol::workspace;
use crate::service::authorization as flow;
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use redirects::redirect_to;
use std::sync::Arc;

/// Answers within the request deadline (a 503 after it). Errors that may not be redirected
/// are an HTML page, or seed 000's JSON on its path and for a client that asks for JSON.
pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    let to = routes::resolve(req.uri().path()).filter(|r| {
        matches!(
            r.endpoint,
            Endpoint::Authorization | Endpoint::Apps | Endpoint::Logout
        )
    });
    let json = to.as_ref().is_some_and(|r| r.dialect == Dialect::Seed000) || prefers_json(&req);
    let base = base_url(state.settings.issuer.as_deref(), &req);
    let workspace = to
        .as_ref()
        .map_or(workspace::DEFAULT_WORKSPACE, |r| &r.workspace);
    let answer = |e: Failure| async {
        if json {
            e.into_json(Dialect::Seed000)
        } else {
            let lang = locale::of(&req);
            e.into_page(&pages::Frame::for_error(state, workspace, &base, lang).await)
        }
    };
    let Some(to) = to.as_ref() else {
        return answer(Failure::NotFound).await;
    };
    let deadline = state.settings.request_deadline();
    let answered = async {
        match to.endpoint {
            Endpoint::Apps => super::apps::handle(state, &to.workspace, &req).await,
            Endpoint::Logout => logout::handle(state, &to.workspace, &req).await,
            _ => respond(state, &req, to).await,
        }
    };
    let resp = match tokio::time::timeout(deadline, answered).await {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => answer(e).await,
        Err(_) => answer(Failure::DeadlineExceeded).await,
    };
    tracing::info!(path = %req.uri().path(), method = %req.method(), status = resp.status().as_u16(), "authorize request");
    resp
}

/// A client that asks for JSON and not for HTML (`Accept: application/json`, as API clients
/// send it; browsers always list `text/html`).
fn prefers_json(req: &Request) -> bool {
    let accept = super::request::header(req, lambda_http::http::header::ACCEPT).unwrap_or("");
    let accept = accept.to_ascii_lowercase();
    accept.contains("application/json") && !accept.contains("text/html")
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
    /// Seed 000's path answers with its JSON bodies.
    dialect: Dialect,
    /// What the pages show around their content.
    frame: pages::Frame,
}

impl Ctx<'_> {
    fn visit(&self) -> cookies::Visit<'_> {
        cookies::Visit {
            state: self.state,
            req: self.req,
            workspace: &self.client.workspace,
            frame: &self.frame,
            secure: self.secure,
        }
    }
}

async fn respond(
    state: &AppState,
    req: &Request,
    to: &Resolved,
) -> Result<Response<Body>, Failure> {
    let path = req.uri().path();
    let ws = &to.workspace;
    require_method(req, &[Method::GET, Method::POST])?;
    let raw_query = req.uri().query().unwrap_or("");
    let (params, repeated) = Form::parse_keeping_first(raw_query.as_bytes())?;
    let client_id = authorization_request::client_id(&params, &repeated)?;
    let base = base_url(state.settings.issuer.as_deref(), req);
    // The workspace's branding is read beside the client, not after it: no added latency.
    let (client, frame) = tokio::join!(
        state.store.clients.client(ws, &client_id),
        pages::Frame::load(state, ws, &base, locale::of(req)),
    );
    let Some(client) = client? else {
        return Err(OAuthError::unknown_client().into());
    };
    let issuer = workspace::issuer(&base, ws);
    let deployment = &state.settings.deployment;
    let request = match authorization_request::validate(&params, &repeated, &client, deployment) {
        Ok(r) => r,
        Err(Rejection::Page(e)) => return Err(e.into()),
        Err(Rejection::Redirect(back, e)) => {
            let location = authorization_response::error_url(&back, &e, &issuer);
            return Ok(redirect_to(req, to.dialect, &location));
        }
    };
    let ctx = Ctx {
        state,
        req,
        client,
        request,
        issuer,
        action: format!("{path}?{raw_query}"),
        secure: !cookies::is_loopback_http(&base),
        dialect: to.dialect,
        frame,
    };
    if req.method() == Method::POST {
        post(&ctx).await
    } else {
        get(&ctx).await
    }
}

async fn get(ctx: &Ctx<'_>) -> Result<Response<Body>, Failure> {
    let prompt = ctx.request.prompt;
    let now = ctx.state.now();
    let session = if prompt.login {
        None
    } else {
        // A sign-in older than the request's max_age is done again (OpenID Connect).
        cookies::current_session(&ctx.visit())
            .await?
            .filter(|s| ctx.request.accepts_sign_in(s.auth_time, now))
    };
    match session {
        None if prompt.none => Ok(no_page(
            ctx,
            ErrorCode::LoginRequired,
            "nobody is signed in",
        )),
        None => Ok(pages::login(ctx, 200, "", None)),
        Some(s) => continue_as(ctx, &s).await,
    }
}

/// `prompt=none` when a page would be needed: back to the client with `code`.
fn no_page(ctx: &Ctx<'_>, code: ErrorCode, why: &str) -> Response<Body> {
    let e = OAuthError::new(code, why);
    let location = authorization_response::error_url(&ctx.request.return_to, &e, &ctx.issuer);
    redirect_to(ctx.req, ctx.dialect, &location)
}

/// A signed-in user: ask for consent, or finish.
async fn continue_as(ctx: &Ctx<'_>, s: &Session) -> Result<Response<Body>, Failure> {
    let prompt = ctx.request.prompt;
    if prompt.consent
        || flow::needs_consent(ctx.state, &ctx.client, &s.owner(), &ctx.request).await?
    {
        if prompt.none {
            return Ok(no_page(
                ctx,
                ErrorCode::ConsentRequired,
                "the user has to consent",
            ));
        }
        return Ok(pages::consent(ctx, &s.username));
    }
    let location = flow::complete(ctx.state, &ctx.client, &ctx.request, s, &ctx.issuer).await?;
    Ok(redirect_to(ctx.req, ctx.dialect, &location))
}

async fn post(ctx: &Ctx<'_>) -> Result<Response<Body>, Failure> {
    let form = form_body(ctx.req)?;
    let csrf_ok = cookies::csrf_matches(&ctx.visit(), &form);
    match form.get("step") {
        Some("login") => login::submit(ctx, &form).await,
        Some("consent") => consent::submit(ctx, &form, csrf_ok).await,
        Some("cancel") if csrf_ok => Ok(cancel(ctx)),
        Some("switch") if csrf_ok => switch_account(ctx).await,
        Some("cancel" | "switch") => Ok(pages::login(ctx, 400, "", Some(ctx.frame.t.expired))),
        _ => Err(OAuthError::invalid_request("unknown form step").into()),
    }
}

/// Cancel on the login page: back to the client with `access_denied` (RFC 6749 §4.1.2.1), as
/// a Deny would. Sent twice, it sends the browser back twice: nothing is issued either way.
fn cancel(ctx: &Ctx<'_>) -> Response<Body> {
    let e = OAuthError::new(
        ErrorCode::AccessDenied,
        "the resource owner cancelled the sign-in",
    );
    let location = authorization_response::error_url(&ctx.request.return_to, &e, &ctx.issuer);
    redirect_to(ctx.req, ctx.dialect, &location)
}

/// "Not you? Use another account" on the consent page: this browser's session ends, and the
/// same request starts again at the login page.
async fn switch_account(ctx: &Ctx<'_>) -> Result<Response<Body>, Failure> {
    cookies::end_session(&ctx.visit()).await?;
    let mut resp = redirects::see_other(&ctx.action);
    cookies::clear_session(&ctx.visit(), &mut resp);
    Ok(resp)
}
