//! signet-signers' integration tests, one binary (each test binary is another link). The
//! SoftHSM2 tests share this process's module, each on a token of its own
//! (`signet_testkit::softhsm`).

mod common;
mod pkcs11_cades;
mod softhsm;
mod software_cades;
