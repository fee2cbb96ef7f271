//! Embedding family exports (crates/losskit-core/src/losses/embedding.rs).
