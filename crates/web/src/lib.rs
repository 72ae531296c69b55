//! handoff-web
