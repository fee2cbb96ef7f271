// Margin and ranking losses, mirroring crates/losskit-core/src/losses/margin.rs.
export {};
