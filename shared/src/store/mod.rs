//! Storage layer: narrow traits per capability, defined by what the service needs, with two
//! adapters of the same semantics: DynamoDB ([`dynamo`]) and in memory ([`memory`]). Every
//! conditional write and transaction of the server lives behind these traits; one contract
//! test suite (`tests/tests/store_contract*.rs`) holds both adapters to them.
//!
//! Secret-bearing items (codes, tokens, sessions) are keyed by the digest of their value:
//! adapters receive the value and store only [`secret_key`] of it.

mod cached_clients;
pub mod dynamo;
pub mod keys;
pub mod memory;
pub mod registration;

use crate::protocol::branding::{Branding, ScopeInfo, WorkspaceConfig};
use crate::protocol::client::{Client, PreviousSecret};
use crate::protocol::code_grant::CodeGrant;
use crate::protocol::login::{Attempts, Throttle};
use crate::protocol::token_record::{GrantFamily, TokenRecord, TokenStanding};
use crate::protocol::user::{Consent, Session, User};
use crate::protocol::user::{Profile, Role};
use async_trait::async_trait;
pub use keys::KeyStore;
pub use registration::RegistrationStore;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A conditional write found the item in another state: a lost race, a duplicate, a
    /// reuse, a missing item.
    #[error("condition not met")]
    ConditionFailed,
    /// The backend did not answer in time, or asked us to slow down, after retries: worth
    /// trying again soon. The detail is for logs only.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything else; the detail is for logs only.
    #[error("{0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A token to store with its value (only the digest of the value is kept).
pub type NewToken<'a> = (&'a str, &'a TokenRecord);

/// What the old refresh token must look like for a rotation to go through. Either way the
/// old token records the new tokens as its successors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// Not rotated yet: this request retires it.
    Fresh,
    /// Not rotated, and it stays so (the client's rotation is off): it must still be current.
    Kept,
    /// Rotated at this instant, inside the grace window: its one retry is spent now, and the
    /// `successors` of that rotation are retired (deleted, on condition the refresh token
    /// among them was never used: if it was, this is no lost response but reuse).
    GraceRetry {
        rotated_at: u64,
        successors: Vec<String>,
    },
}

/// What the operator does to an account. Every change but `Enable` ends the user's tokens,
/// sessions and consents (the user's generation rises, in the user and in the subject's
/// marker, in one transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    /// A new password hash; any lockout lifts.
    SetPassword(String),
    Disable,
    Enable,
    RevokeTokens,
    Delete,
    /// New roles; ends nothing (like `Enable`).
    SetRoles(Vec<Role>),
    /// New OpenID Connect claims (name, email); ends nothing.
    SetProfile(Profile),
}

impl AccountChange {
    /// Whether the change ends the user's tokens, sessions and consents.
    pub fn ends_grants(&self) -> bool {
        !matches!(self, Self::Enable | Self::SetRoles(_) | Self::SetProfile(_))
    }
}

/// Most clients [`ClientStore::create_clients`] writes at once (one DynamoDB transaction).
pub const MAX_CLIENTS_AT_ONCE: usize = 100;

/// Clients, and the reads that fetch a client with the item its request names.
#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Registers a client; `ConditionFailed` if the id is taken in its workspace.
    async fn create_client(&self, client: &Client) -> StoreResult<()>;
    /// Registers every one of `clients` (at most [`MAX_CLIENTS_AT_ONCE`]), all or nothing:
    /// `ConditionFailed` if any id is taken.
    async fn create_clients(&self, clients: &[Client]) -> StoreResult<()>;
    async fn client(&self, workspace: &str, client_id: &str) -> StoreResult<Option<Arc<Client>>>;
    async fn clients(&self, workspace: &str) -> StoreResult<Vec<Client>>;
    /// `ConditionFailed` if there was none.
    async fn delete_client(&self, workspace: &str, client_id: &str) -> StoreResult<()>;
    /// Replaces a confidential client's secret digest; `ConditionFailed` for a missing or
    /// public client. With `previous` (whose digest must be the current one, else
    /// `ConditionFailed`), the replaced secret stays accepted until `previous.until`; without,
    /// no earlier secret is accepted any more.
    async fn set_client_secret(
        &self,
        workspace: &str,
        client_id: &str,
        digest: &str,
        previous: Option<&PreviousSecret>,
    ) -> StoreResult<()>;
    /// Replaces what was registered about a client (name, redirect URIs, grants, scopes,
    /// policy) with `client`'s, keeping its secret, creation time and generation, whatever
    /// changed them meanwhile; `ConditionFailed` if no such client.
    async fn set_client_settings(&self, client: &Client) -> StoreResult<()>;
    /// Ends the client's tokens: its generation becomes `generation`; `ConditionFailed` if no
    /// such client.
    async fn set_client_generation(
        &self,
        workspace: &str,
        client_id: &str,
        generation: u64,
    ) -> StoreResult<()>;
    /// The client and a code, in one round trip.
    async fn client_and_code(
        &self,
        workspace: &str,
        client_id: &str,
        code: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<CodeGrant>)>;
    /// The client and a token with its standing, in one round trip.
    async fn client_and_token(
        &self,
        workspace: &str,
        client_id: &str,
        token: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<TokenStanding>)>;
    /// The client and a login's state (see [`UserStore::login_state`]), in one round trip.
    async fn client_and_login(
        &self,
        workspace: &str,
        client_id: &str,
        login: &Login<'_>,
    ) -> StoreResult<(Option<Arc<Client>>, LoginState)>;
}

/// Who is signing in, from where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Login<'a> {
    pub username: &'a str,
    /// The source address the attempt came from.
    pub source: &'a str,
}

/// What a login attempt is judged on: the user (if any) and the failures of the pair.
pub type LoginState = (Option<User>, Attempts);

/// Users, and failed logins counted per (account, source).
#[async_trait]
pub trait UserStore: Send + Sync {
    /// `ConditionFailed` if the username is taken in its workspace.
    async fn create_user(&self, user: &User, created_at: u64) -> StoreResult<()>;
    /// Strongly consistent: a lock just set must be seen.
    async fn user(&self, workspace: &str, username: &str) -> StoreResult<Option<User>>;
    async fn users(&self, workspace: &str) -> StoreResult<Vec<User>>;
    /// Applies `change` to `user` (as read: the write is conditioned on its username still
    /// naming its subject); `ConditionFailed` if it does not.
    async fn change_account(&self, user: &User, change: &AccountChange) -> StoreResult<()>;
    /// The user and the pair's failures, in one round trip (the same for unknown users).
    async fn login_state(&self, workspace: &str, login: &Login<'_>) -> StoreResult<LoginState>;
    /// Counts one failure of the pair atomically (concurrent failures all count) and blocks
    /// the source as `throttle` says for the count reached.
    async fn record_failure(
        &self,
        workspace: &str,
        login: &Login<'_>,
        throttle: &Throttle,
        now: u64,
    ) -> StoreResult<()>;
    /// During a lock, reserves one of the checks it allows ([`Throttle::lock_checks`]) before
    /// any hashing, counted as a failure (the lock keeps its end: the owner retrying the right
    /// password does not prolong it): `false` when they are spent or the lock is over. One
    /// conditional write, so concurrent attempts cannot all slip in.
    async fn reserve_locked_check(
        &self,
        workspace: &str,
        login: &Login<'_>,
        throttle: &Throttle,
        now: u64,
    ) -> StoreResult<bool>;
    /// Confirms a verified login: on condition the user is still enabled at `user`'s
    /// generation and the pair was not blocked meanwhile (by failures that raced this one),
    /// ends the pair's run of failures; `ConditionFailed` otherwise.
    async fn confirm_login(&self, user: &User, source: &str, now: u64) -> StoreResult<()>;
}

/// Authorization codes.
#[async_trait]
pub trait CodeStore: Send + Sync {
    /// Stores a new code under the digest of `value`.
    async fn put_code(&self, value: &str, code: &CodeGrant) -> StoreResult<()>;
    /// Strongly consistent: a just-redeemed code must read as used.
    async fn code(&self, workspace: &str, value: &str) -> StoreResult<Option<CodeGrant>>;
    /// A code is redeemed once: marks it used on condition it is unused and unexpired at
    /// `now`, and starts its family with `tokens`, all or nothing, on condition that their
    /// user's and client's tokens have not been revoked since (the generations in the first
    /// token). Of any number of concurrent redemptions exactly one succeeds; the others get
    /// `ConditionFailed`. The used code is kept until the family's end (its `expires_at`, the
    /// TTL, becomes the family's), so a late replay is still seen as a replay.
    async fn redeem_code(
        &self,
        value: &str,
        now: u64,
        family: &GrantFamily,
        tokens: &[NewToken<'_>],
    ) -> StoreResult<()>;
}

/// Issued tokens and their grant families (the marker every rotation checks).
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores one token on its own (client_credentials and implicit: no family).
    async fn put_token(&self, value: &str, token: &TokenRecord) -> StoreResult<()>;
    /// The token named by `value` (see `protocol::token_value`) and its standing, read in one
    /// round trip, strongly consistent; `None` if unknown or deleted.
    async fn token(&self, workspace: &str, value: &str) -> StoreResult<Option<TokenStanding>>;
    /// Deletes one token (revocation of an access token).
    async fn delete_token(&self, workspace: &str, value: &str) -> StoreResult<()>;
    /// The client `client_id` as it is now (never from a cache: this trait is not decorated)
    /// and the token named by `value`, if any, in one round trip: the standing of a token that
    /// has no record of its own (a client's access JWT).
    async fn client_now_and_token(
        &self,
        workspace: &str,
        client_id: &str,
        value: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<TokenStanding>)>;
    /// Starts a family with its first tokens on condition the user's login still holds
    /// ([`UserStore::confirm_login`], in the same transaction): the password grant.
    async fn start_family(
        &self,
        family: &GrantFamily,
        tokens: &[NewToken<'_>],
        login: (&User, &str),
        now: u64,
    ) -> StoreResult<()>;
    /// Rotates a refresh token: retires the old one as `rotation` says, checks the family is
    /// not revoked, and stores the new tokens, all or nothing. Of concurrent rotations of one
    /// token exactly one succeeds.
    async fn rotate_refresh(
        &self,
        workspace: &str,
        old_value: &str,
        grant_id: &str,
        rotation: Rotation,
        now: u64,
        tokens: &[NewToken<'_>],
    ) -> StoreResult<()>;
    /// Refresh reuse revokes the family: marks the family revoked, which every read of its
    /// tokens checks and no rotation gets past (the marker is kept until `keep_marker_until`),
    /// retrying a write that conflicts with an in-flight transaction; then deletes the tokens
    /// it finds, as garbage collection (a lagging index or a failed delete leaves nothing
    /// usable behind).
    async fn revoke_family(
        &self,
        workspace: &str,
        grant_id: &str,
        keep_marker_until: u64,
    ) -> StoreResult<()>;
}

/// Browser logins at the authorization endpoint.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// `value` is `<sub>.<secret>`: the subject names the marker read with the session.
    async fn put_session(&self, value: &str, session: &Session) -> StoreResult<()>;
    /// The session and the user's current generation, in one round trip.
    async fn session(&self, workspace: &str, value: &str) -> StoreResult<Option<(Session, u64)>>;
    /// Ends a session (a logout); nothing happens for one that is not there.
    async fn end_session(&self, workspace: &str, value: &str) -> StoreResult<()>;
    /// Spends a page's form id (each rendered form has its own), kept until `expires_at`:
    /// `true` for the one call that spent it, `false` for every repeat (a double submit, the
    /// Back button). One conditional write, so two submits at once have one winner.
    async fn spend_form(&self, workspace: &str, form: &str, expires_at: u64) -> StoreResult<bool>;
    /// Unspends a form id whose action failed, so that its retry is acted on.
    async fn release_form(&self, workspace: &str, form: &str) -> StoreResult<()>;
}

/// What users allowed which clients.
#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// What a user allowed a client.
    async fn consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
    ) -> StoreResult<Option<Consent>>;
    /// Adds `consent.scopes` to what the user allowed the client under the same generation
    /// (allowing `write` later keeps `read`; a consent of an older generation is replaced),
    /// and renews it until `consent.expires_at`.
    async fn add_consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
        consent: &Consent,
    ) -> StoreResult<()>;
}

/// One backend with every capability.
pub trait Store:
    ClientStore
    + UserStore
    + CodeStore
    + TokenStore
    + SessionStore
    + ConsentStore
    + RegistrationStore
    + KeyStore
    + WorkspaceStore
{
}
impl<
        T: ClientStore
            + UserStore
            + CodeStore
            + TokenStore
            + SessionStore
            + ConsentStore
            + RegistrationStore
            + KeyStore
            + WorkspaceStore,
    > Store for T
{
}

/// What a workspace shows the people who sign in: its branding and scope descriptions.
#[async_trait]
pub trait WorkspaceStore: Send + Sync {
    /// Branding and every scope description, in one round trip (defaults where none is set).
    async fn workspace_config(&self, workspace: &str) -> StoreResult<WorkspaceConfig>;
    /// Replaces the branding.
    async fn put_branding(&self, workspace: &str, branding: &Branding) -> StoreResult<()>;
    /// Adds or replaces a scope's description.
    async fn put_scope(&self, workspace: &str, scope: &ScopeInfo) -> StoreResult<()>;
    /// Removes a scope's description: `false` when there was none.
    async fn delete_scope(&self, workspace: &str, name: &str) -> StoreResult<bool>;
}

/// The capabilities a request handler uses, each behind its own trait object, so that one
/// can be decorated (the client cache) without the others.
#[derive(Clone)]
pub struct Stores {
    pub clients: Arc<dyn ClientStore>,
    pub users: Arc<dyn UserStore>,
    pub codes: Arc<dyn CodeStore>,
    pub tokens: Arc<dyn TokenStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub consents: Arc<dyn ConsentStore>,
    pub registrations: Arc<dyn RegistrationStore>,
    pub keys: Arc<dyn KeyStore>,
    pub workspaces: Arc<dyn WorkspaceStore>,
}

impl Stores {
    /// Every capability from one backend.
    pub fn new<S: Store + 'static>(backend: Arc<S>) -> Self {
        Self {
            clients: backend.clone(),
            users: backend.clone(),
            codes: backend.clone(),
            tokens: backend.clone(),
            sessions: backend.clone(),
            consents: backend.clone(),
            registrations: backend.clone(),
            keys: backend.clone(),
            workspaces: backend,
        }
    }

    /// The in-memory backend, empty.
    pub fn memory() -> Self {
        Self::new(Arc::new(memory::MemoryStore::default()))
    }
}

impl std::fmt::Debug for Stores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stores")
    }
}

/// Storage key of a secret-bearing item: workspace and the digest of the secret.
pub(crate) fn secret_key(workspace: &str, secret: &str) -> String {
    format!("{workspace}#{}", crate::crypto::digest(secret))
}

/// Storage key of a spent form id (in the sessions table, beside the sessions).
pub(crate) fn form_key(workspace: &str, form: &str) -> String {
    format!("{workspace}#form#{}", crate::crypto::digest(form))
}

/// Storage key of a family's grant item.
pub(crate) fn grant_key(workspace: &str, grant_id: &str) -> String {
    format!("{workspace}#grant#{grant_id}")
}

/// Storage key of a subject's marker: the generation every token and session of the user
/// is checked against.
pub(crate) fn subject_key(workspace: &str, sub: &str) -> String {
    format!("{workspace}#subject#{sub}")
}

/// Storage key of a pair's failed logins: the username's digest (unknown usernames are not
/// kept in the clear) and the source.
pub(crate) fn attempts_key(workspace: &str, login: &Login<'_>) -> String {
    let user = crate::crypto::digest(login.username);
    format!("{workspace}#{user}#{}", login.source)
}

/// Storage key of a consent.
pub(crate) fn consent_key(workspace: &str, sub: &str, client_id: &str) -> String {
    format!("{workspace}#{sub}#{client_id}")
}
