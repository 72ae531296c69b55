//! handoff-store
