//! handoff-domain
