//! Lookup datasets: what an account publishes for citizens to look up by key (exam results by
//! candidate number, with the birth date as a second factor) or search by name (martyrs' graves
//! by name, birth year and home town).
//!
//! This crate does no I/O. [`dataset`] turns CSV bytes into an immutable, memory-compact
//! [`dataset::Dataset`] whose answers are JSON bytes ready to write, or into a report of every
//! problem by line; [`guard`] holds the per-client token buckets and the per-key lockouts that
//! make walking a dataset slow. Storage, versions, publication and HTTP live in the server.
#![deny(missing_docs)]

pub mod dataset;
pub mod guard;
