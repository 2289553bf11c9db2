//! `client import --file`: the clients of another server, with their ids and secrets, from
//! JSON (an array of objects) or CSV (a header row; lists space-separated). The fields are
//! `client create`'s: `client_id`, `client_secret` (absent or empty: a confidential client
//! is given a new one, printed once), `name`, `redirect_uris`, `grant_types`, `scope`,
//! `public`, `first_party`, `pkce_optional`, `refresh_rotation` (`on`/`off`), `workspace`
//! (default: `--workspace`). Imported secrets are stored as digests and never printed.

use oauth_core::protocol::client::ClientPolicy;
use oauth_core::service::admin::{AdminError, ClientSpec, Credentials};
use serde::Deserialize;
use std::path::Path;

/// A JSON array, or (in CSV) one space-separated cell.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum List {
    #[default]
    None,
    Many(Vec<String>),
    Spaced(String),
}

impl List {
    fn items(self) -> Vec<String> {
        match self {
            Self::None => vec![],
            Self::Many(v) => v,
            Self::Spaced(s) => s.split_whitespace().map(str::to_owned).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    name: String,
    #[serde(default)]
    redirect_uris: List,
    #[serde(default)]
    grant_types: List,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    public: Option<bool>,
    #[serde(default)]
    first_party: Option<bool>,
    #[serde(default)]
    pkce_optional: Option<bool>,
    #[serde(default)]
    refresh_rotation: Option<String>,
    #[serde(default)]
    workspace: Option<String>,
}

impl Row {
    fn entry(self, workspace: &str) -> Result<(ClientSpec, Credentials), AdminError> {
        let keep_refresh_token = match self.refresh_rotation.as_deref() {
            None | Some("") | Some("on") => false,
            Some("off") => true,
            Some(_) => return Err(invalid(&self.client_id, "refresh_rotation is on or off")),
        };
        let secret = self.client_secret.filter(|s| !s.is_empty());
        let spec = ClientSpec {
            workspace: self.workspace.unwrap_or_else(|| workspace.to_owned()),
            name: self.name,
            redirect_uris: self.redirect_uris.items(),
            grant_types: self.grant_types.items(),
            scope: self.scope.filter(|s| !s.is_empty()),
            public: self.public.unwrap_or(false),
            policy: ClientPolicy {
                first_party: self.first_party.unwrap_or(false),
                require_pkce: !self.pkce_optional.unwrap_or(false),
                keep_refresh_token,
                ..Default::default()
            },
            owner: None,
        };
        let credentials = Credentials {
            client_id: self.client_id,
            secret,
        };
        Ok((spec, credentials))
    }
}

fn invalid(client_id: &str, what: &str) -> AdminError {
    AdminError::Invalid(format!("client {client_id}: {what}"))
}

/// The entries of `file`, by its extension. Parse errors name the entry, never a value.
pub(crate) fn read(
    file: &Path,
    workspace: &str,
) -> Result<Vec<(ClientSpec, Credentials)>, AdminError> {
    let unreadable = |e: String| AdminError::Invalid(format!("{}: {e}", file.display()));
    let text = std::fs::read_to_string(file).map_err(|e| unreadable(e.to_string()))?;
    let rows: Vec<Row> = match file.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::from_str(&text).map_err(|e| unreadable(where_(&e)))?,
        Some("csv") => csv::Reader::from_reader(text.as_bytes())
            .deserialize()
            .collect::<Result<_, _>>()
            .map_err(|e| unreadable(format!("row {}: not a client", csv_row(&e))))?,
        _ => return Err(unreadable("the file must end in .json or .csv".into())),
    };
    rows.into_iter().map(|r| r.entry(workspace)).collect()
}

/// Where a JSON file went wrong, without the text there (it may be a secret).
fn where_(e: &serde_json::Error) -> String {
    format!(
        "not an array of clients (line {}, column {})",
        e.line(),
        e.column()
    )
}

fn csv_row(e: &csv::Error) -> String {
    e.position().map_or("?".into(), |p| p.line().to_string())
}
