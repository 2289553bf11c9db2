//! Against DynamoDB Local (AWS's own emulator, started by this process): the store contract
//! on both adapters, races for one code or one refresh token, and what only a real table
//! shows (failures, what is stored, concurrent counting).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod contract;
mod faults;
mod harness_self_test;
mod iam;
mod races;
mod revocation;
mod sealing;
mod signing_keys;
mod storage;
