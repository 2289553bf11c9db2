//! The login step: check the password (with the lockout), start a session, and go back to the
//! page that asked (the authorization request, or the applications page).

use super::cookies::FormUse;
use super::pages;
use super::redirects::{see_other, without_prompt};
use super::{cookies, Ctx};
use crate::http::failure::Failure;
use crate::http::request::source;
use crate::protocol::form::Form;
use crate::protocol::token_request::MAX_USERNAME;
use crate::service::authorization as flow;
use crate::service::login::{self, Checked};
use crate::store::Login;
use lambda_http::{Body, Response};

/// What a login form's submission comes to: a session started (the value of its cookie), or
/// the form shown again with a status and a message.
pub(crate) enum Outcome {
    SignedIn(String),
    Again(u16, String),
    /// The same form sent again: nothing was checked or counted.
    Repeated,
}

/// The login step of every page (the authorization endpoint's, the applications page's): the
/// CSRF token, the password with the pair throttle, then a session.
pub(crate) async fn attempt(v: &cookies::Visit<'_>, form: &Form) -> Result<Outcome, Failure> {
    if !cookies::csrf_matches(v, form) {
        return Ok(Outcome::Again(400, v.frame.t.expired.into()));
    }
    match cookies::spend_form(v, form).await? {
        FormUse::Fresh => {}
        FormUse::Repeated => return Ok(Outcome::Repeated),
        FormUse::Expired => return Ok(Outcome::Again(400, v.frame.t.expired.into())),
    }
    let outcome = check(v, form).await;
    if outcome.is_err() {
        // Nothing was done: the same form may be sent again.
        cookies::release_form(v, form).await;
    }
    outcome
}

/// The password with the pair throttle, then a session.
async fn check(v: &cookies::Visit<'_>, form: &Form) -> Result<Outcome, Failure> {
    let username = form.get("username").unwrap_or("");
    // No such user can exist: answer as for a wrong password, without a lookup.
    if username.is_empty() || username.len() > MAX_USERNAME {
        return Ok(Outcome::Again(200, v.frame.t.wrong_credentials.into()));
    }
    let from = source(v.req);
    let attempt = Login {
        username,
        source: &from,
    };
    let password = form.get("password").unwrap_or("");
    let user = match login::verify_password(v.state, v.workspace, &attempt, password).await? {
        Checked::Accepted(user) => user,
        Checked::Wrong => return Ok(Outcome::Again(200, v.frame.t.wrong_credentials.into())),
        Checked::Wait { until } => {
            let left = login::seconds_left(until, v.state.now());
            return Ok(Outcome::Again(200, v.frame.t.wait(left)));
        }
        Checked::Locked { until } => {
            let left = login::seconds_left(until, v.state.now());
            return Ok(Outcome::Again(200, v.frame.t.locked(left)));
        }
    };
    Ok(Outcome::SignedIn(
        flow::start_session(v.state, &user).await?,
    ))
}

pub(super) async fn submit(ctx: &Ctx<'_>, form: &Form) -> Result<Response<Body>, Failure> {
    let username = form.get("username").unwrap_or("");
    let again = |status, message: &str| Ok(pages::login(ctx, status, username, Some(message)));
    match attempt(&ctx.visit(), form).await? {
        Outcome::Again(status, message) => again(status, &message),
        // Where the first submit led, if it signed in; else the form again.
        Outcome::Repeated => match cookies::current_session(&ctx.visit()).await? {
            Some(_) => Ok(see_other(&without_prompt(&ctx.action))),
            None => again(200, ctx.frame.t.already_sent),
        },
        Outcome::SignedIn(value) => {
            let mut resp = see_other(&without_prompt(&ctx.action));
            cookies::set_session(&ctx.visit(), &mut resp, &value);
            Ok(resp)
        }
    }
}
