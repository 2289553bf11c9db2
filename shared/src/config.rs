//! Settings from the environment and the state a function builds once, in `main`.

use crate::protocol::model::Client;
use crate::storage::{Store, StoreError};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
    /// `LOCKOUT_THRESHOLD` failed logins in a row that lock an account...
    pub lockout_threshold: u32,
    /// ...for `LOCKOUT_SECONDS`.
    pub lockout_seconds: u64,
    /// `CLIENT_CACHE_SECONDS` a warm function keeps a client record (0: no cache).
    pub client_cache_seconds: u64,
    /// `SESSION_TTL` seconds a login at the authorization endpoint lasts.
    pub session_ttl: u64,
    /// `CONSENT_TTL` seconds a user's consent to a client is remembered.
    pub consent_ttl: u64,
    /// `SCOPES_SUPPORTED`: the scopes server metadata advertises (space-delimited).
    pub scopes_supported: Vec<String>,
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
            scopes_supported: Vec::new(),
        }
    }
}

fn var<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name}={v:?} is not a valid value")),
    }
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        let d = Self::default();
        let s = Self {
            issuer: std::env::var("ISSUER")
                .ok()
                .map(|i| i.trim().trim_end_matches('/').to_owned())
                .filter(|i| !i.is_empty()),
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
            scopes_supported: std::env::var("SCOPES_SUPPORTED")
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        };
        if !(1..=600).contains(&s.code_ttl) {
            return Err("CODE_TTL must be between 1 and 600 seconds (RFC 6749 §4.1.2)".into());
        }
        if s.lockout_threshold == 0 {
            return Err("LOCKOUT_THRESHOLD must be at least 1".into());
        }
        Ok(s)
    }
}

/// Seconds since the epoch: the unit of every `expires_at`.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

type CacheKey = (String, String);

/// Client records a warm function reuses for a short while, saving one read per request.
#[derive(Debug, Default)]
struct ClientCache(Mutex<HashMap<CacheKey, (Instant, Arc<Client>)>>);

/// What every request handler needs; built once per cold start.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    clients: ClientCache,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> Self {
        Self {
            store,
            settings,
            clients: ClientCache::default(),
        }
    }

    /// Settings and DynamoDB client from the environment, connection warmed (unless
    /// `DYNAMODB_WARM_UP=false`: then the first request opens it).
    pub async fn from_env() -> Result<Self, String> {
        let settings = Settings::from_env()?;
        let store = Store::from_env().await;
        if std::env::var("DYNAMODB_WARM_UP").as_deref() != Ok("false") {
            store.warm_up().await;
        }
        Ok(Self::new(store, settings))
    }

    /// A client record, from the warm cache when fresh enough.
    pub async fn client(
        &self,
        workspace: &str,
        client_id: &str,
    ) -> Result<Option<Arc<Client>>, StoreError> {
        if let Some(c) = self.cached_client(workspace, client_id) {
            return Ok(Some(c));
        }
        let client = self.store.client(workspace, client_id).await?;
        Ok(client.map(|c| self.remember_client(c)))
    }

    /// The client from the warm cache, if there and fresh.
    pub fn cached_client(&self, workspace: &str, client_id: &str) -> Option<Arc<Client>> {
        let ttl = Duration::from_secs(self.settings.client_cache_seconds);
        let cache = self.clients.0.lock().ok()?;
        let (at, c) = cache.get(&(workspace.to_owned(), client_id.to_owned()))?;
        (at.elapsed() < ttl).then(|| c.clone())
    }

    /// Keeps a client just read for the next requests of this warm function.
    pub fn remember_client(&self, client: Client) -> Arc<Client> {
        let client = Arc::new(client);
        if self.settings.client_cache_seconds > 0 {
            if let Ok(mut cache) = self.clients.0.lock() {
                let key = (client.workspace.clone(), client.client_id.clone());
                cache.insert(key, (Instant::now(), client.clone()));
            }
        }
        client
    }
}
