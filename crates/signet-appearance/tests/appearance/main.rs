//! signet-appearance's integration tests, one binary (each test binary is another link).

mod common;
mod inputs;
mod poppler;
