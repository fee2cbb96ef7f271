//! The losses, one module per family (the same families as the TypeScript layer's
//! `ts/src/losses/`). A loss owns only its math and its argument checks; the engine
//! (`crate::engine`) owns the loops, outputs and reduction.

pub mod adversarial;
pub mod classification;
pub mod detection;
pub mod embedding;
pub mod margin;
pub mod regression;
pub mod sequence;
pub mod segmentation;
