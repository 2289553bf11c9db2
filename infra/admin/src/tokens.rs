//! `oauth-admin token …`: a token's record, and revoking it.

use crate::{now, Ctx, Ws};
use clap::Subcommand;
use oauth_core::clock::SystemClock;
use oauth_core::protocol::token_record::TokenStanding;
use oauth_core::service::admin::AdminError;
use oauth_core::AppState;
use serde_json::{json, Value};
use std::io::BufRead;
use std::sync::Arc;

#[derive(Subcommand)]
pub(crate) enum TokenCmd {
    /// Print a token's record (no secret is stored, so none is printed).
    Show {
        #[command(flatten)]
        ws: Ws,
        token: String,
    },
    /// Revoke a token; a refresh token takes its whole family with it.
    Revoke {
        #[command(flatten)]
        ws: Ws,
        token: String,
    },
}

fn token_json(standing: &TokenStanding) -> Value {
    let t = &standing.token;
    json!({
        "workspace": t.workspace,
        "kind": t.kind.as_str(),
        "client_id": t.client_id,
        "username": t.username,
        "sub": t.sub,
        "scope": t.scope.to_wire(),
        "issued_at": t.issued_at,
        "expires_at": t.expires_at,
        "active": standing.is_active(now()),
        "revoked": standing.is_revoked(),
        "rotated_at": t.rotated_at,
        "family_expires_at": t.family_expires_at,
    })
}

/// A token value from the argument, or from stdin when it is `-`.
pub(crate) fn token_value(arg: String) -> Result<String, AdminError> {
    if arg != "-" {
        return Ok(arg);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| AdminError::Invalid(format!("cannot read the token: {e}")))?;
    Ok(line.trim().to_owned())
}

pub(crate) async fn token(ctx: &Ctx, cmd: TokenCmd) -> Result<Value, AdminError> {
    let tokens = &*ctx.stores.tokens;
    match cmd {
        TokenCmd::Show { ws, token } => {
            let value = token_value(token)?;
            match tokens.token(&ws.workspace, &value).await? {
                Some(t) => Ok(token_json(&t)),
                None => Err(AdminError::NotFound(
                    "token (unknown, revoked or deleted by TTL)".into(),
                )),
            }
        }
        TokenCmd::Revoke { ws, token } => {
            let value = token_value(token)?;
            let Some(standing) = tokens.token(&ws.workspace, &value).await? else {
                return Err(AdminError::NotFound(
                    "token (unknown, or already revoked)".into(),
                ));
            };
            let record = standing.token;
            let state = AppState::new(
                ctx.stores.clone(),
                ctx.settings.clone(),
                Arc::new(SystemClock),
            );
            oauth_core::service::token_lifecycle::revoke_record(&state, &value, &record)
                .await
                .map_err(|e| AdminError::Invalid(e.to_string()))?;
            Ok(json!({ "revoked": record.kind.as_str(), "client_id": record.client_id }))
        }
    }
}
