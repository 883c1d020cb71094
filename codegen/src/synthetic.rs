//! Synthetic full-scale F&O-shaped metadata for benchmarks (filled in by the next change).
