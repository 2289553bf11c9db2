//! Test support, in one place: fixtures (clients, users, codes, the RFC 7636 vector), states
//! on the in-memory store or on fresh DynamoDB Local tables, calls into the functions'
//! handlers, a cookie-keeping browser for the authorization endpoint, and the local stack.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

pub mod browser;
pub mod call;
pub mod fixtures;
pub mod harness;
pub mod http_login;
pub mod signing;
pub mod stack;
pub mod template;
pub mod webdriver;

pub use local_stack::{
    dynamodb_local, free_port, local_client, local_env, repo_root, wait_for_port, Background,
};
pub use stack::{stack, start_stack, Stack, Tls};

use oauth_core::clock::{Clock, ManualClock, SystemClock};
use oauth_core::service::admin::{self, ClientSpec, Registered};
use oauth_core::store::dynamo::schema::TableNames;
use oauth_core::store::dynamo::DynamoStore;
use oauth_core::store::memory::MemoryStore;
use oauth_core::store::Stores;
use oauth_core::{AppState, Settings};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// Settings for tests: cheap password hashing, no client cache (tests change clients).
pub fn test_settings() -> Settings {
    Settings {
        pbkdf2_iterations: NonZeroU32::new(1_000).expect("non-zero"),
        client_cache_seconds: 0,
        ..Settings::default()
    }
}

/// Service state on the in-memory store and the wall clock: fast, no Java.
pub fn memory_state() -> AppState {
    memory().0
}

/// [`memory_state`], and the store (to count what it holds).
pub fn memory() -> (AppState, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::default());
    let state = AppState::new(
        Stores::new(store.clone()),
        test_settings(),
        Arc::new(SystemClock),
    );
    (state, store)
}

/// Service state on the in-memory store and a clock the test moves.
pub fn memory_state_with_clock() -> (AppState, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let state = AppState::new(Stores::memory(), test_settings(), clock.clone());
    (state, clock)
}

/// A DynamoDB store on fresh tables of its own (a unique prefix) in this process's
/// DynamoDB Local, created from the schema.
pub async fn fresh_dynamo() -> Arc<DynamoStore> {
    static N: AtomicU32 = AtomicU32::new(0);
    let prefix = format!(
        "t{}-{}-",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let store = DynamoStore::new(
        local_client(&dynamodb_local().endpoint()),
        TableNames::prefixed(&prefix),
    );
    store.create_tables().await.expect("create tables");
    Arc::new(store)
}

/// Service state on fresh DynamoDB Local tables, and the store (for its tables).
pub async fn dynamo_state() -> (AppState, Arc<DynamoStore>) {
    let dynamo = fresh_dynamo().await;
    let state = AppState::new(
        Stores::new(dynamo.clone()),
        test_settings(),
        Arc::new(SystemClock),
    );
    (state, dynamo)
}

/// Service state on fresh DynamoDB Local tables reached through a strict harness, the
/// harness, and the store (for its tables).
pub async fn harnessed_state() -> (AppState, harness::Harness, Arc<DynamoStore>) {
    let direct = fresh_dynamo().await;
    let harness = harness::Harness::start(dynamodb_local().endpoint());
    let through = DynamoStore::new(local_client(&harness.endpoint), direct.tables().clone());
    let state = AppState::new(
        Stores::new(Arc::new(through)),
        test_settings(),
        Arc::new(SystemClock),
    );
    (state, harness, direct)
}

/// Registers a client through the admin code path.
pub async fn register(store: &Stores, spec: ClientSpec) -> Registered {
    admin::create_client(&*store.clients, &spec, SystemClock.now())
        .await
        .expect("register client")
}

/// The failed logins counted for `username` in the default workspace from the source that
/// handler calls report (`unknown`: no API Gateway source address).
pub async fn attempts_of(
    state: &AppState,
    username: &str,
) -> oauth_core::protocol::login::Attempts {
    let pair = oauth_core::store::Login {
        username,
        source: "unknown",
    };
    let (_, attempts) = state
        .store
        .users
        .login_state("default", &pair)
        .await
        .expect("login state");
    attempts
}

pub async fn add_user(store: &Stores, workspace: &str, username: &str, password: &str) {
    admin::create_user(
        &*store.users,
        test_settings().pbkdf2_iterations,
        workspace,
        username,
        password,
        SystemClock.now(),
    )
    .await
    .expect("create user");
}

/// A code as the authorization endpoint would store it: returns the code value.
pub async fn store_code(
    store: &Stores,
    code: &oauth_core::protocol::code_grant::CodeGrant,
) -> String {
    let value = oauth_core::crypto::new_secret();
    store.codes.put_code(&value, code).await.expect("put code");
    value
}

/// Every item of a DynamoDB Local table, read raw (to check what is, and is not, stored).
pub async fn raw_items(
    table: &str,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    local_client(&dynamodb_local().endpoint())
        .scan()
        .table_name(table)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("scan")
}

/// Seconds since the epoch, by the wall clock.
pub fn now() -> u64 {
    SystemClock.now()
}
