//! The login step: check the password (with the lockout), start a session, and go back to the
//! authorization request.

use super::pages::{self, EXPIRED, WRONG_CREDENTIALS};
use super::redirects::{see_other, without_prompt};
use super::{cookies, Ctx};
use crate::http::failure::Failure;
use crate::protocol::form::Form;
use crate::protocol::token_request::MAX_USERNAME;
use crate::service::{authorization as flow, login};
use crate::store::Login;
use lambda_http::{Body, Response};

pub(super) async fn submit(
    ctx: &Ctx<'_>,
    form: &Form,
    csrf_ok: bool,
) -> Result<Response<Body>, Failure> {
    let username = form.get("username").unwrap_or("");
    if !csrf_ok {
        return Ok(pages::login(ctx, 400, username, Some(EXPIRED)));
    }
    let password = form.get("password").unwrap_or("");
    let ws = &ctx.client.workspace;
    // No such user can exist: answer as for a wrong password, without a lookup.
    if username.is_empty() || username.len() > MAX_USERNAME {
        return Ok(pages::login(ctx, 200, username, Some(WRONG_CREDENTIALS)));
    }
    let attempt = Login {
        username,
        source: &ctx.source,
    };
    let Some(user) = login::verify_password(ctx.state, ws, &attempt, password).await? else {
        return Ok(pages::login(ctx, 200, username, Some(WRONG_CREDENTIALS)));
    };
    let value = flow::start_session(ctx.state, &user).await?;
    let mut resp = see_other(&without_prompt(&ctx.action));
    cookies::set_session(&ctx.visit(), &mut resp, &value);
    Ok(resp)
}
