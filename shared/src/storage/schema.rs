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

pub const TTL_ATTRIBUTE: &str = "expires_at";
pub const GRANT_INDEX: &str = "by-grant";

pub const CLIENTS: TableDef = TableDef {
    logical_id: "ClientsTable",
    env: "CLIENTS_TABLE",
    local_name: "oauth-clients",
    hash_key: "workspace",
    range_key: Some("client_id"),
    indexes: &[],
    ttl: false,
};

pub const USERS: TableDef = TableDef {
    logical_id: "UsersTable",
    env: "USERS_TABLE",
    local_name: "oauth-users",
    hash_key: "workspace",
    range_key: Some("username"),
    indexes: &[],
    ttl: false,
};

pub const CODES: TableDef = TableDef {
    logical_id: "CodesTable",
    env: "CODES_TABLE",
    local_name: "oauth-codes",
    hash_key: "id",
    range_key: None,
    indexes: &[],
    ttl: true,
};

pub const TOKENS: TableDef = TableDef {
    logical_id: "TokensTable",
    env: "TOKENS_TABLE",
    local_name: "oauth-tokens",
    hash_key: "id",
    range_key: None,
    indexes: &[(GRANT_INDEX, "grant_id")],
    ttl: true,
};

pub const SESSIONS: TableDef = TableDef {
    logical_id: "SessionsTable",
    env: "SESSIONS_TABLE",
    local_name: "oauth-sessions",
    hash_key: "id",
    range_key: None,
    indexes: &[],
    ttl: true,
};

pub const CONSENTS: TableDef = TableDef {
    logical_id: "ConsentsTable",
    env: "CONSENTS_TABLE",
    local_name: "oauth-consents",
    hash_key: "id",
    range_key: None,
    indexes: &[],
    ttl: true,
};

pub const ALL: [TableDef; 6] = [CLIENTS, USERS, CODES, TOKENS, SESSIONS, CONSENTS];

/// Actual table names, from the environment or the local defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNames {
    pub clients: String,
    pub users: String,
    pub codes: String,
    pub tokens: String,
    pub sessions: String,
    pub consents: String,
}

impl TableNames {
    /// Names from the environment, or the local stack's.
    pub fn from_env() -> Self {
        Self::named(|t| std::env::var(t.env).unwrap_or_else(|_| t.local_name.to_owned()))
    }

    /// Names with a prefix, so tests can keep their tables apart.
    pub fn prefixed(prefix: &str) -> Self {
        Self::named(|t| format!("{prefix}{}", t.local_name))
    }

    fn named(name: impl Fn(TableDef) -> String) -> Self {
        Self {
            clients: name(CLIENTS),
            users: name(USERS),
            codes: name(CODES),
            tokens: name(TOKENS),
            sessions: name(SESSIONS),
            consents: name(CONSENTS),
        }
    }

    pub fn pairs(&self) -> [(TableDef, &str); 6] {
        [
            (CLIENTS, &self.clients),
            (USERS, &self.users),
            (CODES, &self.codes),
            (TOKENS, &self.tokens),
            (SESSIONS, &self.sessions),
            (CONSENTS, &self.consents),
        ]
    }
}
