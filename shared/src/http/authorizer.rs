//! The API Gateway HTTP API Lambda authorizer (payload 2.0, simple responses): one DynamoDB
//! read decides whether `Authorization: Bearer <token>` carries an active access token.

use crate::config::AppState;
use crate::protocol::token_record::TokenKind;
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
}

pub type Allowed = ApiGatewayV2CustomAuthorizerSimpleResponse<Context>;

/// Why a request is not let through.
#[derive(Debug, thiserror::Error)]
pub enum Denied {
    /// API Gateway answers 401 when an authorizer fails with exactly this message.
    #[error("Unauthorized")]
    Unauthorized,
    #[error(transparent)]
    Failed(#[from] service::Error),
}

/// Allows an active access token of `workspace`; anything else is `Unauthorized`.
pub async fn authorize(
    state: &AppState,
    workspace: &str,
    event: &ApiGatewayV2CustomAuthorizerV2Request,
) -> Result<Allowed, Denied> {
    let bearer = event
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .ok_or(Denied::Unauthorized)?;
    let deadline = state.settings.request_deadline();
    let token = tokio::time::timeout(deadline, token_lifecycle::active(state, workspace, bearer))
        .await
        .map_err(|_| service::Error::Storage(StoreError::Unavailable("deadline exceeded".into())))??
        .filter(|t| t.kind == TokenKind::Access)
        .ok_or(Denied::Unauthorized)?;
    let mut allowed = Allowed::default();
    allowed.is_authorized = true;
    allowed.context = Context {
        client_id: token.client_id,
        sub: token.sub.unwrap_or_default(),
        username: token.username.unwrap_or_default(),
        scope: token.scope.to_wire(),
    };
    Ok(allowed)
}
