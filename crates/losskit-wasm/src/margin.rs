//! Margin family exports (crates/losskit-core/src/losses/margin.rs).
