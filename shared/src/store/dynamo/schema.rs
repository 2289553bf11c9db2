//! The tables, defined once. `oauth-admin tables create` builds them from this, and a test
//! checks that `template.yaml` declares exactly the same keys, indexes and TTL.

/// One DynamoDB table: string keys only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDef {
    /// Logical id of the table resource in `template.yaml`.
    pub logical_id: &'static str,
    /// Environment variable that carries the table's name to the functions.
    pub env: &'static str,
    /// Name used when the variable is unset (the local stack).
    pub local_name: &'static str,
    pub hash_key: &'static str,
    pub range_key: Option<&'static str>,
    /// Global secondary indexes: (name, hash key), keys-only projection.
    pub indexes: &'static [(&'static str, &'static str)],
    /// TTL on `expires_at`.
    pub ttl: bool,
}

impl TableDef {
    /// A table of long-lived records, keyed by workspace and a name within it; no TTL.
    const fn by_workspace(names: [&'static str; 3], range_key: &'static str) -> Self {
        Self {
            logical_id: names[0],
            env: names[1],
            local_name: names[2],
            hash_key: "workspace",
            range_key: Some(range_key),
            indexes: &[],
            ttl: false,
        }
    }

    /// A table of short-lived items under an `id`, with TTL on `expires_at`.
    const fn by_id(
        names: [&'static str; 3],
        indexes: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self {
            logical_id: names[0],
            env: names[1],
            local_name: names[2],
            hash_key: "id",
            range_key: None,
            indexes,
            ttl: true,
        }
    }
}

pub const TTL_ATTRIBUTE: &str = "expires_at";
pub const GRANT_INDEX: &str = "by-grant";

pub const CLIENTS: TableDef = TableDef::by_workspace(
    ["ClientsTable", "CLIENTS_TABLE", "oauth-clients"],
    "client_id",
);
pub const USERS: TableDef =
    TableDef::by_workspace(["UsersTable", "USERS_TABLE", "oauth-users"], "username");
pub const CODES: TableDef = TableDef::by_id(["CodesTable", "CODES_TABLE", "oauth-codes"], &[]);
pub const TOKENS: TableDef = TableDef::by_id(
    ["TokensTable", "TOKENS_TABLE", "oauth-tokens"],
    &[(GRANT_INDEX, "grant_id")],
);
pub const SESSIONS: TableDef =
    TableDef::by_id(["SessionsTable", "SESSIONS_TABLE", "oauth-sessions"], &[]);
pub const CONSENTS: TableDef =
    TableDef::by_id(["ConsentsTable", "CONSENTS_TABLE", "oauth-consents"], &[]);

/// What a workspace shows the people who sign in (branding, scope descriptions), one item
/// per setting under the workspace: one query reads them all.
pub const WORKSPACES: TableDef = TableDef::by_workspace(
    ["WorkspacesTable", "WORKSPACES_TABLE", "oauth-workspaces"],
    "name",
);

/// Failed logins per (account, source), kept for a lockout window.
pub const ATTEMPTS: TableDef =
    TableDef::by_id(["AttemptsTable", "ATTEMPTS_TABLE", "oauth-attempts"], &[]);

pub const ALL: [TableDef; 8] = [
    CLIENTS, USERS, CODES, TOKENS, SESSIONS, CONSENTS, ATTEMPTS, WORKSPACES,
];

/// Actual table names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNames {
    pub clients: String,
    pub users: String,
    pub codes: String,
    pub tokens: String,
    pub sessions: String,
    pub consents: String,
    pub attempts: String,
    pub workspaces: String,
}

impl TableNames {
    /// The local stack's names.
    pub fn local() -> Self {
        Self::from_fn(|t| t.local_name.to_owned())
    }

    /// Names with a prefix, so tests can keep their tables apart.
    pub fn prefixed(prefix: &str) -> Self {
        Self::from_fn(|t| format!("{prefix}{}", t.local_name))
    }

    /// Each table's name as `name` gives it.
    pub fn from_fn(name: impl Fn(TableDef) -> String) -> Self {
        Self {
            clients: name(CLIENTS),
            users: name(USERS),
            codes: name(CODES),
            tokens: name(TOKENS),
            sessions: name(SESSIONS),
            consents: name(CONSENTS),
            attempts: name(ATTEMPTS),
            workspaces: name(WORKSPACES),
        }
    }

    pub fn pairs(&self) -> [(TableDef, &str); 8] {
        [
            (CLIENTS, &self.clients),
            (USERS, &self.users),
            (CODES, &self.codes),
            (TOKENS, &self.tokens),
            (SESSIONS, &self.sessions),
            (CONSENTS, &self.consents),
            (ATTEMPTS, &self.attempts),
            (WORKSPACES, &self.workspaces),
        ]
    }
}
