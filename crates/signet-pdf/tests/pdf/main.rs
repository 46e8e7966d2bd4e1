//! signet-pdf's integration tests, one binary (each test binary is another link).

mod common;
mod corpus;
mod reader;
mod regressions;
mod roundtrip;
mod signature;
mod writer;
