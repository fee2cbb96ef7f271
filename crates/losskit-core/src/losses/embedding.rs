//! Embedding losses (to come: tripletMarginLoss, cosineEmbeddingLoss), on the `along` engine.
