//! The API Gateway HTTP API Lambda authorizer (payload 2.0, simple responses): one DynamoDB
//! read decides whether `Authorization: Bearer <token>` carries an active access token.

use crate::config::AppState;
use crate::protocol::token_record::{TokenKind, TokenRecord};
use crate::service::{self, token_lifecycle};
use crate::store::StoreError;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayV2CustomAuthorizerSimpleResponse, ApiGatewayV2CustomAuthorizerV2Request,
};
use serde::{Deserialize, Serialize};

/// What the protected route sees as `$context.authorizer.*` (and its integration as
/// `requestContext.authorizer.lambda`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    pub client_id: String,
    /// The resource owner's subject; empty for client_credentials tokens.
    pub sub: String,
    pub username: String,
    pub scope: String,
    /// The token's audience (RFC 8707 resources), space-delimited.
    pub aud: String,
}

pub type Verdict = ApiGatewayV2CustomAuthorizerSimpleResponse<Context>;

/// An access JWT of ours is judged on its signature, issuer and expiry alone, with no
/// DynamoDB read (as API Gateway's own JWT authorizer judges it: its revocation shows at
/// introspection, not here); any other token by its record and standing, in one read.
async fn verdict_on(
    state: &AppState,
    workspace: &str,
    issuer: &str,
    bearer: &str,
) -> service::Result<Option<TokenRecord>> {
    let own = token_lifecycle::own_access_jwt(state, workspace, issuer, bearer).await?;
    match own {
        Some(jwt) => Ok(Some(jwt.record)),
        // Not ours: verifying it again through `active` would only repeat the work.
        None if token_lifecycle::looks_like_jws(bearer) => Ok(None),
        None => token_lifecycle::active(state, workspace, issuer, bearer).await,
    }
}

/// The verdict on `Authorization: Bearer <token>` for a route of `workspace`, in the terms
/// AWS documents for HTTP API Lambda authorizers with simple responses: `isAuthorized: true`
/// for an active access token of the workspace; `isAuthorized: false` (API Gateway answers
/// 403) for anything else; an error only when storage fails (API Gateway answers 500). A
/// request without the header never reaches the authorizer (API Gateway answers 401).
///
/// API Gateway caches a verdict per header for `AUTHORIZER_CACHE_SECONDS`; so that no cached
/// allow outlives its token, a token with less life left than that is refused.
pub async fn authorize(
    state: &AppState,
    workspace: &str,
    event: &ApiGatewayV2CustomAuthorizerV2Request,
) -> Result<Verdict, service::Error> {
    let bearer = event
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(super::request::bearer_token);
    let Some(bearer) = bearer else {
        return Ok(Verdict::default());
    };
    // The issuer of the workspace on the domain the request came to (as the token function
    // names it), or the configured one.
    let base = match (&state.settings.issuer, &event.request_context.domain_name) {
        (Some(configured), _) => configured.clone(),
        (None, Some(domain)) => format!("https://{domain}"),
        (None, None) => "https://localhost".into(),
    };
    let issuer = crate::protocol::workspace::issuer(&base, workspace);
    let deadline = state.settings.request_deadline();
    let checked = verdict_on(state, workspace, &issuer, bearer);
    let active = tokio::time::timeout(deadline, checked)
        .await
        .map_err(|_| {
            service::Error::Storage(StoreError::Unavailable("deadline exceeded".into()))
        })??;
    // A few seconds more than the cache: API Gateway's clock starts when our answer arrives.
    let cache = state.settings.authorizer_cache_seconds;
    let margin = if cache > 0 { 5 } else { 0 };
    let cached_until = state.now().saturating_add(cache).saturating_add(margin);
    // RFC 9068 §4: a resource takes only tokens meant for it.
    let for_us = |t: &TokenRecord| {
        state
            .settings
            .authorizer_audience
            .as_ref()
            .is_none_or(|a| t.audience.contains(a))
    };
    let Some(token) =
        active.filter(|t| t.kind == TokenKind::Access && t.expires_at > cached_until && for_us(t))
    else {
        return Ok(Verdict::default());
    };
    let mut allowed = Verdict::default();
    allowed.is_authorized = true;
    allowed.context = Context {
        client_id: token.client_id,
        sub: token.sub.unwrap_or_default(),
        username: token.username.unwrap_or_default(),
        scope: token.scope.to_wire(),
        aud: token.audience.join(" "),
    };
    Ok(allowed)
}
