//! The consent step: Allow remembers the scopes and finishes; Deny returns `access_denied`.
//! Each consent form is answered once: a repeat (a double click, the Back button) does
//! nothing and says so, so no second code is issued for one answer.

use super::cookies::FormUse;
use super::pages;
use super::redirects::redirect_to;
use super::{cookies, Ctx};
use crate::http::failure::Failure;
use crate::protocol::authorization_response;
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::form::Form;
use crate::service::authorization as flow;
use lambda_http::{Body, Response};

pub(super) async fn submit(
    ctx: &Ctx<'_>,
    form: &Form,
    csrf_ok: bool,
) -> Result<Response<Body>, Failure> {
    let Some(session) = cookies::current_session(&ctx.visit()).await? else {
        return Ok(pages::login(ctx, 200, "", Some(ctx.frame.t.session_ended)));
    };
    if !csrf_ok {
        return Ok(pages::consent(ctx, &session.username));
    }
    match cookies::spend_form(&ctx.visit(), form).await? {
        FormUse::Fresh => {}
        FormUse::Repeated => return Ok(pages::answered(ctx)),
        FormUse::Expired => return Ok(pages::consent(ctx, &session.username)),
    }
    let answered = answer(ctx, form, &session).await;
    if answered.is_err() {
        // Nothing reached the client: the same form may be sent again.
        cookies::release_form(&ctx.visit(), form).await;
    }
    answered
}

/// Allow or Deny, once the form is known to be answered for the first time.
async fn answer(
    ctx: &Ctx<'_>,
    form: &Form,
    session: &crate::protocol::user::Session,
) -> Result<Response<Body>, Failure> {
    let (state, client, request) = (ctx.state, &ctx.client, &ctx.request);
    match form.get("decision") {
        Some("allow") => {
            flow::remember_consent(state, client, &session.owner(), request).await?;
            let location = flow::complete(state, client, request, session, &ctx.issuer).await?;
            Ok(redirect_to(ctx.req, ctx.dialect, &location))
        }
        Some("deny") => {
            let denied = OAuthError::new(
                ErrorCode::AccessDenied,
                "the resource owner denied the request",
            );
            let to = &request.return_to;
            let location = authorization_response::error_url(to, &denied, &ctx.issuer);
            Ok(redirect_to(ctx.req, ctx.dialect, &location))
        }
        _ => Err(OAuthError::invalid_request("decision must be allow or deny").into()),
    }
}
