//! `oauth-admin workspace …` and `oauth-admin scope …`: what a workspace's pages show the
//! people who sign in: its name, accent colour, logo and support contact, and what each scope
//! means (consent lists scopes with these descriptions, sensitive ones first).

use crate::{Ctx, Ws};
use clap::Subcommand;
use oauth_core::protocol::branding::{self, Branding, Logo, ScopeInfo};
use oauth_core::protocol::workspace;
use oauth_core::service::admin::AdminError;
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Subcommand)]
pub(crate) enum WorkspaceCmd {
    /// Set the branding every page of the workspace shows (replaces what was set; an option
    /// left out goes back to the default).
    Set {
        #[command(flatten)]
        ws: Ws,
        /// The name people see first on every page and in its title (default: the host).
        #[arg(long)]
        display_name: Option<String>,
        /// Buttons and links, `#rrggbb`; must carry white text at 4.5:1.
        #[arg(long)]
        accent: Option<String>,
        /// A PNG, JPEG, WebP or SVG file of at most 16 KiB, shown inline on every page.
        #[arg(long, value_name = "FILE")]
        logo_file: Option<PathBuf>,
        /// Where people get help: a `mailto:` or `https://` URL.
        #[arg(long)]
        support: Option<String>,
    },
    /// Show the branding and the scope descriptions.
    Show {
        #[command(flatten)]
        ws: Ws,
    },
}

#[derive(Subcommand)]
pub(crate) enum ScopeCmd {
    /// Describe a scope for the consent page (replaces an earlier description).
    Create {
        #[command(flatten)]
        ws: Ws,
        #[arg(long)]
        name: String,
        /// What the scope lets an application do, in words for the person asked.
        #[arg(long)]
        description: String,
        /// Listed first on consent, and marked.
        #[arg(long)]
        sensitive: bool,
    },
    /// The scopes described in the workspace.
    List {
        #[command(flatten)]
        ws: Ws,
    },
    /// Remove a scope's description (consent then shows its name alone).
    Delete {
        #[command(flatten)]
        ws: Ws,
        #[arg(long)]
        name: String,
    },
}

fn invalid(e: oauth_core::protocol::error::OAuthError) -> AdminError {
    AdminError::Invalid(e.description)
}

fn checked_workspace(ws: &Ws) -> Result<&str, AdminError> {
    workspace::validate_name(&ws.workspace).map_err(invalid)?;
    Ok(&ws.workspace)
}

/// The branding as printed: the logo's type and size, never its bytes.
fn branding_json(workspace: &str, b: &Branding) -> Value {
    json!({
        "workspace": workspace,
        "display_name": b.display_name,
        "accent": b.accent,
        "logo": b.logo.as_ref().map(|l| json!({"type": l.media_type, "bytes": l.bytes.len()})),
        "support": b.support,
    })
}

fn scope_json(s: &ScopeInfo) -> Value {
    json!({"name": s.name, "description": s.description, "sensitive": s.sensitive})
}

pub(crate) async fn workspace(ctx: &Ctx, cmd: WorkspaceCmd) -> Result<Value, AdminError> {
    let store = &*ctx.stores.workspaces;
    match cmd {
        WorkspaceCmd::Set {
            ws,
            display_name,
            accent,
            logo_file,
            support,
        } => {
            let name = checked_workspace(&ws)?;
            let logo = match logo_file {
                Some(path) => {
                    let bytes = std::fs::read(&path).map_err(|e| {
                        AdminError::Invalid(format!("cannot read {}: {e}", path.display()))
                    })?;
                    Some(Logo::from_bytes(bytes).map_err(invalid)?)
                }
                None => None,
            };
            let b = Branding {
                display_name,
                accent,
                logo,
                support,
            };
            branding::validate(&b).map_err(invalid)?;
            store.put_branding(name, &b).await?;
            Ok(branding_json(name, &b))
        }
        WorkspaceCmd::Show { ws } => {
            let name = checked_workspace(&ws)?;
            let c = store.workspace_config(name).await?;
            let mut shown = branding_json(name, &c.branding);
            shown["scopes"] = json!(c.scopes.iter().map(scope_json).collect::<Vec<_>>());
            Ok(shown)
        }
    }
}

pub(crate) async fn scope(ctx: &Ctx, cmd: ScopeCmd) -> Result<Value, AdminError> {
    let store = &*ctx.stores.workspaces;
    match cmd {
        ScopeCmd::Create {
            ws,
            name,
            description,
            sensitive,
        } => {
            let w = checked_workspace(&ws)?;
            let s = ScopeInfo {
                name,
                description,
                sensitive,
            };
            branding::validate_scope(&s).map_err(invalid)?;
            store.put_scope(w, &s).await?;
            Ok(scope_json(&s))
        }
        ScopeCmd::List { ws } => {
            let w = checked_workspace(&ws)?;
            let c = store.workspace_config(w).await?;
            Ok(json!(c.scopes.iter().map(scope_json).collect::<Vec<_>>()))
        }
        ScopeCmd::Delete { ws, name } => {
            let w = checked_workspace(&ws)?;
            if store.delete_scope(w, &name).await? {
                Ok(json!({ "deleted": name }))
            } else {
                Err(AdminError::NotFound(format!("scope {name}")))
            }
        }
    }
}
