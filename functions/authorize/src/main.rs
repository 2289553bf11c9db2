//! Authorize function: `GET, POST /oauth2/authorize` (and its workspace and seed-alias paths).

use lambda_http::{run, service_fn, Error, Request};
use oauth_core::AppState;
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    oauth_core::logging::init(&oauth_core::config::LogSettings::from_env());
    let state = Arc::new(AppState::from_env().await?);
    run(service_fn(move |req: Request| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Error>(oauth_core::http::authorization::handle(&state, req).await) }
    }))
    .await
}
