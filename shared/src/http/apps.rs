//! `GET, POST /{workspace}/oauth2/apps` (seed 001's application registration): a signed-in
//! developer's applications. The same rules as the login page: CSRF tokens (double submit),
//! CSP with a nonce and nothing third-party, escaping by askama, a 303 after every change.
//! A new secret is carried to the page that shows it once by a short-lived cookie, never in
//! the URL.

use super::authorization::cookies::{self, FormUse, Visit};
use super::authorization::login::{self, Outcome};
use super::authorization::pages::{self, LoginTarget};
use super::authorization::redirects::see_other;
use super::failure::Failure;
use super::request::{base_url, form_body, require_method};
use crate::config::AppState;
use crate::crypto;
use crate::protocol::client::{Client, GrantType};
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::form::Form;
use crate::protocol::user::User;
use crate::service::apps::{self, AppForm, AppsError};
use askama::Template;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

struct Check<'a> {
    name: &'a str,
    on: bool,
}

struct AppView<'a> {
    client_id: &'a str,
    name: &'a str,
    kind: &'static str,
    public: bool,
    redirect_uris: String,
    grants: Vec<Check<'a>>,
    scopes: Vec<Check<'a>>,
}

struct Secret<'a> {
    name: &'a str,
    secret: &'a str,
}

#[derive(Template)]
#[template(path = "apps.html")]
struct AppsPage<'a> {
    nonce: &'a str,
    frame: &'a pages::Frame,
    workspace: &'a str,
    username: &'a str,
    action: &'a str,
    csrf: &'a str,
    form: &'a str,
    error: Option<&'a str>,
    secret: Option<Secret<'a>>,
    apps: Vec<AppView<'a>>,
    new_grants: Vec<Check<'a>>,
    new_scopes: Vec<Check<'a>>,
}

pub(crate) async fn handle(
    state: &AppState,
    workspace: &str,
    req: &Request,
) -> Result<Response<Body>, Failure> {
    require_method(req, &[Method::GET, Method::POST])?;
    let base = base_url(state.settings.issuer.as_deref(), req);
    let lang = super::authorization::locale::of(req);
    let frame = pages::Frame::load(state, workspace, &base, lang).await;
    let visit = Visit {
        state,
        req,
        workspace,
        frame: &frame,
        secure: !cookies::is_loopback_http(&base),
    };
    let action = req.uri().path().to_owned();
    let session = cookies::current_session(&visit).await?;
    if req.method() == Method::POST {
        let form = form_body(req)?;
        if form.get("step") == Some("login") {
            return sign_in(&visit, &action, &form).await;
        }
        let Some(s) = session else {
            return Ok(login_page(&visit, &action, 200, ("", None)));
        };
        let developer = apps::developer(state, &s)
            .await?
            .ok_or_else(not_a_developer)?;
        if !cookies::csrf_matches(&visit, &form) {
            return page(&visit, &developer, &action, Some(visit.frame.t.expired)).await;
        }
        return match cookies::spend_form(&visit, &form).await? {
            FormUse::Fresh => {
                let changed = change(&visit, &developer, &action, &form).await;
                if changed.is_err() {
                    // Nothing was changed: the same form may be sent again.
                    cookies::release_form(&visit, &form).await;
                }
                changed
            }
            // Sent again (a double click, the Back button): the first did it; show the list.
            FormUse::Repeated => Ok(see_other(&action)),
            FormUse::Expired => {
                page(&visit, &developer, &action, Some(visit.frame.t.expired)).await
            }
        };
    }
    let Some(s) = session else {
        return Ok(login_page(&visit, &action, 200, ("", None)));
    };
    let developer = apps::developer(state, &s)
        .await?
        .ok_or_else(not_a_developer)?;
    page(&visit, &developer, &action, None).await
}

fn not_a_developer() -> Failure {
    let e = OAuthError::new(
        ErrorCode::AccessDenied,
        "this account may not manage applications: ask an operator for the developer role",
    );
    Failure::Service(crate::service::Error::Forbidden(e))
}

fn login_page(
    v: &Visit<'_>,
    action: &str,
    status: u16,
    refill: (&str, Option<&str>),
) -> Response<Body> {
    let name = format!("the applications of {}", v.workspace);
    let to = LoginTarget {
        name: &name,
        action,
        form_action: "'self'",
        cancel: false,
    };
    pages::login_form(v, &to, status, refill)
}

async fn sign_in(v: &Visit<'_>, action: &str, form: &Form) -> Result<Response<Body>, Failure> {
    match login::attempt(v, form).await? {
        Outcome::Again(status, message) => {
            let username = form.get("username").unwrap_or("");
            Ok(login_page(v, action, status, (username, Some(&message))))
        }
        Outcome::Repeated => match cookies::current_session(v).await? {
            Some(_) => Ok(see_other(action)),
            None => Ok(login_page(
                v,
                action,
                200,
                ("", Some(v.frame.t.already_sent)),
            )),
        },
        Outcome::SignedIn(value) => {
            let mut resp = see_other(action);
            cookies::set_session(v, &mut resp, &value);
            Ok(resp)
        }
    }
}

/// The form's application settings (checkboxes are `grant.NAME` and `scope.NAME`: a form
/// repeats no name).
fn app_form(state: &AppState, form: &Form) -> AppForm {
    let checked = |prefix: &str, names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter(|n| form.contains(&format!("{prefix}.{n}")))
            .map(|n| n.to_string())
            .collect()
    };
    let scopes: Vec<&str> = apps::offered_scopes(state)
        .iter()
        .map(String::as_str)
        .collect();
    AppForm {
        name: form.get("name").unwrap_or("").trim().to_owned(),
        redirect_uris: form
            .get("redirect_uris")
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        grant_types: checked("grant", &apps::offered_grants(state)),
        scope: checked("scope", &scopes),
        public: form.get("type") == Some("public"),
    }
}

async fn change(
    v: &Visit<'_>,
    dev: &User,
    action: &str,
    form: &Form,
) -> Result<Response<Body>, Failure> {
    let state = v.state;
    let id = form.get("client_id").unwrap_or("");
    let done = match form.get("step") {
        Some("create") => apps::create(state, dev, &app_form(state, form))
            .await
            .map(|r| r.client_secret.map(|s| (r.client.client_id, s))),
        Some("update") => apps::update(state, dev, id, &app_form(state, form))
            .await
            .map(|_| None),
        Some("delete") => apps::delete(state, dev, id).await.map(|()| None),
        Some("rotate") => apps::rotate_secret(state, dev, id)
            .await
            .map(|s| Some((id.to_owned(), s))),
        _ => Err(AppsError::Invalid("unknown form step".into())),
    };
    match done {
        Ok(secret) => {
            let mut resp = see_other(action);
            if let Some((client_id, secret)) = secret {
                cookies::set_new_secret(v, &mut resp, &format!("{client_id}.{secret}"));
            }
            Ok(resp)
        }
        Err(AppsError::Service(e)) => Err(e.into()),
        Err(e) => {
            let message = e.to_string();
            let mut resp = page(v, dev, action, Some(&message)).await?;
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            Ok(resp)
        }
    }
}

fn checks<'a>(
    names: impl IntoIterator<Item = &'a str>,
    on: impl Fn(&str) -> bool,
) -> Vec<Check<'a>> {
    names
        .into_iter()
        .map(|name| Check { name, on: on(name) })
        .collect()
}

fn view<'a>(
    c: &'a Client,
    offered: &'a [String],
    grants: &[&'a str],
    t: &'static super::authorization::locale::Text,
) -> AppView<'a> {
    AppView {
        client_id: &c.client_id,
        name: &c.name,
        kind: if c.is_public() {
            t.kind_public
        } else {
            t.kind_confidential
        },
        public: c.is_public(),
        redirect_uris: c.redirect_uris.join("\n"),
        grants: checks(grants.iter().copied(), |g| {
            GrantType::parse(g).is_some_and(|g| c.allows(g))
        }),
        scopes: checks(offered.iter().map(String::as_str), |s| {
            c.scopes.iter().any(|x| x == s)
        }),
    }
}

/// The developer's page; a new secret (from the cookie) shown once, `error` above it all.
async fn page(
    v: &Visit<'_>,
    dev: &User,
    action: &str,
    error: Option<&str>,
) -> Result<Response<Body>, Failure> {
    let mine = apps::list(v.state, dev).await?;
    let flash = cookies::new_secret(v).and_then(|f| f.split_once('.'));
    let secret = flash.and_then(|(id, secret)| {
        let app = mine.iter().find(|c| c.client_id == id)?;
        Some(Secret {
            name: &app.name,
            secret,
        })
    });
    let (csrf, is_new) = cookies::csrf_token(v);
    let nonce = crypto::random_string(16);
    let form = cookies::new_form(v);
    let offered = apps::offered_scopes(v.state);
    let grants = apps::offered_grants(v.state);
    let page = AppsPage {
        nonce: &nonce,
        frame: v.frame,
        workspace: v.workspace,
        username: &dev.username,
        action,
        csrf: &csrf,
        form: &form,
        error,
        secret,
        apps: mine
            .iter()
            .map(|c| view(c, offered, &grants, v.frame.t))
            .collect(),
        new_grants: checks(grants.iter().copied(), |g| g == "authorization_code"),
        new_scopes: checks(offered.iter().map(String::as_str), |_| false),
    };
    let mut resp = pages::html(200, &nonce, &page, "'self'");
    if is_new {
        cookies::set_csrf(v, &mut resp, &csrf);
    }
    if flash.is_some() {
        cookies::clear_new_secret(v, &mut resp);
    }
    Ok(resp)
}
