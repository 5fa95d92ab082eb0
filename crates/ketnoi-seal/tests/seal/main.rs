//! Tests of envelope v1: every piece round-trips, and every change to what was sealed is caught.
//! One test binary (one link) with a module per part of the format.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attachment;
mod export;
mod fixture;
mod keys;
mod message;
mod officer;
mod receipt;
mod report;
mod support;
