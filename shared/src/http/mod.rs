//! HTTP edge: Lambda requests in, responses out. The one place errors become wire responses
//! is [`response::error`].

pub mod authorize;
pub mod pages;
pub mod request;
pub mod response;
pub mod token;
