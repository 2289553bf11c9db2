//! Authorizer function: an API Gateway HTTP API Lambda authorizer (payload 2.0, simple
//! responses) that lets a request through when it carries an active access token of
//! `AUTHORIZER_WORKSPACE` (default: `default`).

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;
use lambda_http::lambda_runtime::{run, service_fn, Error, LambdaEvent};
use oauth_core::http::authorizer::authorize;
use oauth_core::AppState;
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    oauth_core::logging::init(&oauth_core::config::LogSettings::from_env());
    let state = Arc::new(AppState::from_env().await?);
    run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2CustomAuthorizerV2Request>| {
            let state = Arc::clone(&state);
            async move {
                let ws = &state.settings.authorizer_workspace;
                Ok::<_, Error>(authorize(&state, ws, &event.payload).await?)
            }
        },
    ))
    .await
}
