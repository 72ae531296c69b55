//! Integration tests of the web application: the real app on a random port,
//! a fresh database per test, on SQLite and on PostgreSQL. One test binary,
//! so it links once.

mod fixtures;
mod helpers;

mod audit_batching;
mod auth;
mod casework;
mod consent;
mod contract;
mod coordination;
mod court;
mod day;
mod disclosure;
mod evaluation;
mod evidence;
mod idempotency;
mod justice;
mod known;
mod lookup;
mod national;
mod network;
mod openapi;
mod oversight;
mod owg;
mod paging;
mod persons;
mod reading;
mod record;
mod releases;
mod research;
mod search_index;
mod security;
mod tokens;
mod trend;
mod workflow;
