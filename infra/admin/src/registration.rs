//! `oauth-admin registration-token …`: initial access tokens for self-service registration
//! (RFC 7591 §3).

use crate::{now, Ctx, Ws};
use clap::Subcommand;
use oauth_core::service::admin::{self, AdminError, RegistrationTokenSpec};
use serde_json::{json, Value};

#[derive(Subcommand)]
pub(crate) enum RegistrationCmd {
    /// Create an initial access token: whoever holds it may register clients in the
    /// workspace at `/{workspace}/oauth2/register`. Printed this once.
    Create {
        #[command(flatten)]
        ws: Ws,
        /// Seconds it lasts (default one day).
        #[arg(long, value_name = "SECS", default_value_t = 86_400)]
        expires_in: u64,
        /// How many clients it may register (default: any number until it expires).
        #[arg(long, value_name = "N")]
        max_uses: Option<u64>,
        /// The scopes registered clients may have, space-delimited (default: the deployment's
        /// SCOPES_SUPPORTED, or none).
        #[arg(long)]
        scope: Option<String>,
    },
    /// End an initial access token (`-` reads it from stdin); what it registered stays.
    Revoke {
        #[command(flatten)]
        ws: Ws,
        token: String,
    },
}

pub(crate) async fn registration(ctx: &Ctx, cmd: RegistrationCmd) -> Result<Value, AdminError> {
    let (ws, expires_in, max_uses, scope) = match cmd {
        RegistrationCmd::Create {
            ws,
            expires_in,
            max_uses,
            scope,
        } => (ws, expires_in, max_uses, scope),
        RegistrationCmd::Revoke { ws, token } => {
            let value = crate::tokens::token_value(token)?;
            let store = &*ctx.stores.registrations;
            admin::revoke_registration_token(store, &ws.workspace, &value).await?;
            return Ok(json!({ "revoked": "registration token" }));
        }
    };
    let spec = RegistrationTokenSpec {
        workspace: ws.workspace,
        expires_in,
        max_uses,
        scope: scope.unwrap_or_else(|| ctx.settings.scopes_supported.join(" ")),
    };
    let store = &*ctx.stores.registrations;
    let (token, grant) = admin::create_registration_token(store, &spec, now()).await?;
    Ok(json!({
        "workspace": grant.workspace,
        "initial_access_token": token,
        "expires_at": grant.expires_at,
        "max_uses": max_uses,
        "scope": grant.scope.to_wire(),
    }))
}
