//! A CSC v2 client for configured remote-signing providers.
