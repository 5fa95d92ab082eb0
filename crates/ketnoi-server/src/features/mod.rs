//! The features, one folder each: its API routes (`api.rs`), its pages (`pages.rs`), its service
//! and the state its handlers hold (`service.rs`). A feature uses the kernel, and other features
//! only through the narrow interfaces named in docs/ARCHITECTURE.md; none reaches the root.

pub mod audit;
pub mod bot;
pub mod chat;
pub mod desk;
pub mod directory;
pub mod integrations;
pub mod lookups;
pub mod news;
pub mod ops;
pub mod sign_in;
pub mod tips;
