//! Samenleven: the application and follow-up platform for the Flemish "provisie Samenleven".
//!
//! The binary in `main.rs` only parses the command line; everything lives here so that tests and
//! benchmarks drive the same code. See `ARCHITECTURE.md` for the map.

pub mod accounts;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod files;
pub mod import;
pub mod mail;
pub mod mergers;
pub mod org_codes;
pub mod pdf;
pub mod policy;
pub mod reminders;
pub mod routing;
pub mod seed;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod upload;
pub mod web;
