//! Margin and ranking losses (to come: marginRankingLoss, hingeLoss, hingeEmbeddingLoss,
//! softMarginLoss, multilabelMarginLoss, multilabelSoftMarginLoss, multiMarginLoss).
