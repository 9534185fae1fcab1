//! The server's integration tests, as one test binary (one link instead of one per file: far
//! less disk and link time). Run one area with `cargo test -p warmline-server --test it lead_unlock`.

#[macro_use]
mod common;

mod ai_writer;
mod analytics;
mod approvals;
mod approvals_review;
mod auth;
mod campaigns;
mod cli;
mod contacts;
mod crm;
mod farming;
mod forms;
mod inbox_search;
mod lead_unlock;
mod live;
mod messaging;
mod pipeline;
mod processes;
mod routing;
mod scoring;
mod startup;
