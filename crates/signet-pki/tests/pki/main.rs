//! signet-pki's integration tests, one binary (each test binary is another link).

mod cms;
mod corpus;
mod openssl;
mod robustness;
mod validation;
mod validation_openssl;
mod validation_robustness;
mod validation_support;
