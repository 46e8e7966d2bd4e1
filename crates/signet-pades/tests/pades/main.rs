//! signet-pades' integration tests, one binary (each test binary is another link).

mod corpus;
mod sign_verify;
