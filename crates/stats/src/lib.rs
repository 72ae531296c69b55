//! handoff-stats
