//! handoff-linkage
