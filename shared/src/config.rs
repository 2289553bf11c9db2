//! Settings, the only place the environment is read, and the state a function builds once,
//! in `main`.

use crate::clock::{Clock, SystemClock};
use crate::protocol::deployment::Deployment;
use crate::protocol::login::Throttle;
use crate::protocol::workspace::{self, DEFAULT_WORKSPACE};
use crate::sealing::{KmsSealer, Sealer};
use crate::service::keys::SigningKeys;
use crate::store::dynamo::schema::TableNames;
use crate::store::dynamo::{CaRoots, DynamoStore, Limits};
use crate::store::Stores;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// The longest an access token may live (the deployment's and every client's): signing keys
/// stay published this long after they stop signing.
pub const MAX_ACCESS_TOKEN_TTL: u64 = 24 * 3600;

/// Operator settings; every one is an environment variable (see the README).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `ISSUER`: the server's public base URL, from which each workspace's issuer identifier
    /// (RFC 8414, RFC 9207 `iss`) is made. Unset: `https://` and the request's host, which
    /// API Gateway sets from the domain it was called on.
    pub issuer: Option<String>,
    /// `PBKDF2_ITERATIONS` for new password hashes (OWASP 2023: 600,000).
    pub pbkdf2_iterations: NonZeroU32,
    /// `ACCESS_TOKEN_TTL` seconds, unless the client sets its own.
    pub access_token_ttl: u64,
    /// `REFRESH_TOKEN_TTL` seconds for one refresh token, unless the client sets its own.
    pub refresh_token_ttl: u64,
    /// `REFRESH_FAMILY_TTL`: absolute lifetime of a family of refresh tokens.
    pub refresh_family_ttl: u64,
    /// `CODE_TTL` seconds an authorization code lives (at most 600).
    pub code_ttl: u64,
    /// `LOCKOUT_THRESHOLD` failed logins in a row from one source that lock it out of an
    /// account (failures before that make it wait 1 s, 2 s, ... between attempts)...
    pub lockout_threshold: u32,
    /// ...for `LOCKOUT_SECONDS`.
    pub lockout_seconds: u64,
    /// `CLIENT_CACHE_SECONDS` a warm function keeps a client record (0: no cache).
    pub client_cache_seconds: u64,
    /// `SESSION_TTL` seconds a login at the authorization endpoint lasts.
    pub session_ttl: u64,
    /// `CONSENT_TTL` seconds a user's consent to a client is remembered.
    pub consent_ttl: u64,
    /// `GRANT_TYPES` (space-delimited; default all five) and `PKCE_PLAIN` (default false):
    /// what any client may use here, and what metadata advertises.
    pub deployment: Deployment,
    /// `SCOPES_SUPPORTED`: the scopes server metadata advertises (space-delimited).
    pub scopes_supported: Vec<String>,
    /// `CLIENTS_TABLE`, `USERS_TABLE`, ...: the table names (the SAM stack sets them).
    pub tables: TableNames,
    /// `DYNAMODB_CA_ROOTS`: `amazon` (default) or `system`.
    pub ca_roots: CaRoots,
    /// `DYNAMODB_WARM_UP`: open the DynamoDB connection during init (default true).
    pub warm_up: bool,
    /// `AUTHORIZER_WORKSPACE`: the workspace whose tokens the authorizer function accepts.
    pub authorizer_workspace: String,
    /// `AUTHORIZER_AUDIENCE`: a resource the authorizer's routes are; tokens for other
    /// audiences are refused (RFC 9068 §4, RFC 8707). Unset: any audience.
    pub authorizer_audience: Option<String>,
    /// How long API Gateway caches the authorizer's verdicts (`AUTHORIZER_CACHE_SECONDS`, the
    /// template's `AuthorizerCacheSeconds`): a token with less life left is refused.
    pub authorizer_cache_seconds: u64,
    /// The KMS key that seals the signing keys (`SIGNING_KMS_KEY_ID`).
    pub signing_kms_key_id: Option<String>,
    /// Seconds a new signing key is published before it signs (`KEY_PUBLISH_LEAD_SECONDS`):
    /// API Gateway's JWT authorizer caches a JWKS for up to two hours.
    pub key_publish_lead: u64,
    /// `KEY_ROTATION_DAYS`: how often the scheduled rotation adds a key per algorithm.
    pub key_rotation_days: u64,
    /// Timeouts and attempts of every DynamoDB call.
    pub dynamodb: Limits,
    /// `REQUEST_DEADLINE_MS`: a request not answered by then gets a 503 (the functions'
    /// timeouts are 10 s and 5 s; API Gateway's is 30 s).
    pub request_deadline_ms: u64,
    /// `WARM_UP_TIMEOUT_MS`: how long init waits for the warm-up read before going on.
    pub warm_up_timeout_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            issuer: None,
            pbkdf2_iterations: NonZeroU32::new(600_000).unwrap_or(NonZeroU32::MIN),
            access_token_ttl: 3600,
            refresh_token_ttl: 30 * 86_400,
            refresh_family_ttl: 90 * 86_400,
            code_ttl: 60,
            lockout_threshold: 5,
            lockout_seconds: 900,
            client_cache_seconds: 30,
            session_ttl: 8 * 3600,
            consent_ttl: 365 * 86_400,
            deployment: Deployment::default(),
            scopes_supported: Vec::new(),
            tables: TableNames::local(),
            ca_roots: CaRoots::Amazon,
            warm_up: true,
            authorizer_workspace: DEFAULT_WORKSPACE.to_owned(),
            authorizer_cache_seconds: 0,
            authorizer_audience: None,
            signing_kms_key_id: None,
            // API Gateway's JWT authorizer caches a JWKS up to 2 h; ours may be cached 5 min.
            key_publish_lead: 2 * 3600 + 15 * 60,
            key_rotation_days: 30,
            dynamodb: Limits::default(),
            request_deadline_ms: 4_000,
            warm_up_timeout_ms: 1_000,
        }
    }
}

fn text(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn var<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match text(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| format!("{name}={v:?} is not a valid value")),
    }
}

fn ca_roots() -> Result<CaRoots, String> {
    match text("DYNAMODB_CA_ROOTS").as_deref() {
        None | Some("amazon") => Ok(CaRoots::Amazon),
        Some("system") => Ok(CaRoots::System),
        Some(other) => Err(format!("DYNAMODB_CA_ROOTS={other:?}: use amazon or system")),
    }
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        let d = Self::default();
        let s = Self {
            issuer: text("ISSUER").map(|i| i.trim_end_matches('/').to_owned()),
            pbkdf2_iterations: var("PBKDF2_ITERATIONS", d.pbkdf2_iterations)?,
            access_token_ttl: var("ACCESS_TOKEN_TTL", d.access_token_ttl)?,
            refresh_token_ttl: var("REFRESH_TOKEN_TTL", d.refresh_token_ttl)?,
            refresh_family_ttl: var("REFRESH_FAMILY_TTL", d.refresh_family_ttl)?,
            code_ttl: var("CODE_TTL", d.code_ttl)?,
            lockout_threshold: var("LOCKOUT_THRESHOLD", d.lockout_threshold)?,
            lockout_seconds: var("LOCKOUT_SECONDS", d.lockout_seconds)?,
            client_cache_seconds: var("CLIENT_CACHE_SECONDS", d.client_cache_seconds)?,
            session_ttl: var("SESSION_TTL", d.session_ttl)?,
            consent_ttl: var("CONSENT_TTL", d.consent_ttl)?,
            // Set but empty is a mistake, not "all of them".
            deployment: Deployment::parse(
                std::env::var("GRANT_TYPES").ok().as_deref(),
                var("PKCE_PLAIN", d.deployment.plain_pkce)?,
            )?,
            scopes_supported: text("SCOPES_SUPPORTED")
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            tables: TableNames::from_fn(|t| text(t.env).unwrap_or_else(|| t.local_name.into())),
            ca_roots: ca_roots()?,
            warm_up: var("DYNAMODB_WARM_UP", d.warm_up)?,
            authorizer_workspace: text("AUTHORIZER_WORKSPACE").unwrap_or(d.authorizer_workspace),
            authorizer_cache_seconds: var("AUTHORIZER_CACHE_SECONDS", d.authorizer_cache_seconds)?,
            authorizer_audience: text("AUTHORIZER_AUDIENCE"),
            signing_kms_key_id: text("SIGNING_KMS_KEY_ID"),
            key_publish_lead: var("KEY_PUBLISH_LEAD_SECONDS", d.key_publish_lead)?,
            key_rotation_days: var("KEY_ROTATION_DAYS", d.key_rotation_days)?,
            dynamodb: Limits {
                attempt_ms: var("DYNAMODB_ATTEMPT_TIMEOUT_MS", d.dynamodb.attempt_ms)?,
                operation_ms: var("DYNAMODB_OPERATION_TIMEOUT_MS", d.dynamodb.operation_ms)?,
                max_attempts: var("DYNAMODB_MAX_ATTEMPTS", d.dynamodb.max_attempts)?,
            },
            request_deadline_ms: var("REQUEST_DEADLINE_MS", d.request_deadline_ms)?,
            warm_up_timeout_ms: var("WARM_UP_TIMEOUT_MS", d.warm_up_timeout_ms)?,
        };
        s.validate()?;
        Ok(s)
    }

    /// Whether the settings are within the bounds the code supports (the template's parameters
    /// carry the same bounds).
    pub fn validate(&self) -> Result<(), String> {
        if !(60..=MAX_ACCESS_TOKEN_TTL).contains(&self.access_token_ttl) {
            return Err(format!(
                "ACCESS_TOKEN_TTL must be between 60 and {MAX_ACCESS_TOKEN_TTL} seconds"
            ));
        }
        if self.authorizer_cache_seconds > 3600 {
            return Err("AUTHORIZER_CACHE_SECONDS must be at most 3600".into());
        }
        if !(1..=600).contains(&self.code_ttl) {
            return Err("CODE_TTL must be between 1 and 600 seconds (RFC 6749 §4.1.2)".into());
        }
        if !(1..=365).contains(&self.key_rotation_days) {
            return Err("KEY_ROTATION_DAYS must be between 1 and 365".into());
        }
        if self.lockout_threshold == 0 {
            return Err("LOCKOUT_THRESHOLD must be at least 1".into());
        }
        if self.dynamodb.max_attempts == 0 {
            return Err("DYNAMODB_MAX_ATTEMPTS must be at least 1".into());
        }
        workspace::validate_name(&self.authorizer_workspace)
            .map_err(|e| format!("AUTHORIZER_WORKSPACE: {}", e.description))
    }

    /// How failed logins are answered.
    pub fn throttle(&self) -> Throttle {
        Throttle {
            threshold: self.lockout_threshold,
            lock_seconds: self.lockout_seconds,
        }
    }

    /// How rotations time the signing keys: published `key_publish_lead` before signing, and
    /// kept published after retiring as long as any access token may live
    /// ([`MAX_ACCESS_TOKEN_TTL`], whatever the deployment's or a client's lifetime, so that
    /// wherever `oauth-admin` runs the answer is the same) and 5 minutes for clocks that differ.
    pub fn key_timing(&self) -> crate::protocol::keyring::Timing {
        crate::protocol::keyring::Timing {
            lead: self.key_publish_lead,
            keep: MAX_ACCESS_TOKEN_TTL + 300,
        }
    }

    /// How long a request may take before it is answered 503.
    pub fn request_deadline(&self) -> Duration {
        Duration::from_millis(self.request_deadline_ms)
    }
}

/// How the functions log (Lambda's advanced logging controls set these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    /// `AWS_LAMBDA_LOG_FORMAT=JSON`.
    pub json: bool,
    /// `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else `INFO`.
    pub level: String,
}

impl LogSettings {
    pub fn from_env() -> Self {
        Self {
            json: text("AWS_LAMBDA_LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
            level: text("AWS_LAMBDA_LOG_LEVEL")
                .or_else(|| text("RUST_LOG"))
                .unwrap_or_else(|| "INFO".into()),
        }
    }
}

/// What every request handler needs; built once per cold start.
#[derive(Debug, Clone)]
pub struct AppState {
    pub settings: Settings,
    pub clock: Arc<dyn Clock>,
    pub store: Stores,
    /// The signing keys: private halves where this function signs, public ones everywhere.
    pub keys: Arc<SigningKeys>,
}

impl AppState {
    /// `store` as given (tests pass the in-memory one), behind the client cache the settings
    /// ask for; it signs nothing until given a sealer ([`AppState::with_sealer`]).
    pub fn new(store: Stores, settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let store = store.with_client_cache(settings.client_cache_seconds, clock.clone());
        Self {
            settings,
            clock,
            store,
            keys: Arc::new(SigningKeys::new(None)),
        }
    }

    /// The same state, signing with the keys `sealer` opens.
    pub fn with_sealer(mut self, sealer: Arc<dyn Sealer>) -> Self {
        self.keys = Arc::new(SigningKeys::new(Some(sealer)));
        self
    }

    /// Settings and DynamoDB from the environment, the connection warmed unless
    /// `DYNAMODB_WARM_UP=false` (then the first request opens it); a function given
    /// `SIGNING_KMS_KEY_ID` signs, with its keys opened during init.
    pub async fn from_env() -> Result<Self, String> {
        let settings = Settings::from_env()?;
        let tables = settings.tables.clone();
        let dynamo = DynamoStore::connect(tables, settings.ca_roots, settings.dynamodb).await;
        let sealer = match &settings.signing_kms_key_id {
            Some(key) => {
                let kms = KmsSealer::connect(key, settings.ca_roots, settings.dynamodb).await;
                Some(Arc::new(kms) as Arc<dyn Sealer>)
            }
            None => None,
        };
        Ok(Self::start(dynamo, settings, sealer).await)
    }

    /// The state of a function on `dynamo`: the connection warmed first (unless
    /// `DYNAMODB_WARM_UP=false`), then the signing keys opened, each within
    /// `WARM_UP_TIMEOUT_MS`: a DynamoDB or KMS that does not answer must not hold up the cold
    /// start (the first request that signs tries again).
    pub async fn start(
        dynamo: DynamoStore,
        settings: Settings,
        sealer: Option<Arc<dyn Sealer>>,
    ) -> Self {
        let limit = Duration::from_millis(settings.warm_up_timeout_ms);
        if settings.warm_up {
            let _ = tokio::time::timeout(limit, dynamo.warm_up()).await;
        }
        let mut state = Self::new(
            Stores::new(Arc::new(dynamo)),
            settings,
            Arc::new(SystemClock),
        );
        if let Some(sealer) = sealer {
            state = state.with_sealer(sealer);
            let (keys, now) = (&*state.store.keys, state.now());
            let _ = tokio::time::timeout(limit, state.keys.signers(keys, now)).await;
        }
        state
    }

    pub fn now(&self) -> u64 {
        self.clock.now()
    }
}
