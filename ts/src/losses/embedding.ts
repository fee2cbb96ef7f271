// Embedding losses, mirroring crates/losskit-core/src/losses/embedding.rs.
export {};
