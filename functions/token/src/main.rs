//! Token function: token, revocation, introspection and server metadata (`http::routes`).

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_http::lambda_runtime::{run, service_fn, Error, LambdaEvent};
use oauth_core::http::{lambda_event, token_function};
use oauth_core::AppState;
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    oauth_core::logging::init(&oauth_core::config::LogSettings::from_env());
    let state = Arc::new(AppState::from_env().await?);
    // Events are converted by `lambda_event`, which cannot panic on what a client sends.
    run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| {
            let state = Arc::clone(&state);
            async move {
                let req = lambda_event::request(event.payload);
                let resp = token_function::handle(&state, req).await;
                Ok::<_, Error>(lambda_event::response(resp))
            }
        },
    ))
    .await
}
