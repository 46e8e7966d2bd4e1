//! The one error type of the crate.

/// What went wrong while fetching, precisely enough to log and to tell an operator.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The URL is not of the form `http://host[:port]/path`.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// `https://` and other schemes are not supported by this client (see the crate docs).
    #[error("unsupported URL scheme in {0:?} (only http:// is supported)")]
    UnsupportedScheme(String),
    /// The host name did not resolve.
    #[error("cannot resolve {host}: {detail}")]
    Resolve {
        /// The host.
        host: String,
        /// The resolver's message.
        detail: String,
    },
    /// No address of the host accepted a connection.
    #[error("cannot connect to {url}: {detail}")]
    Connect {
        /// The URL.
        url: String,
        /// The last connection error.
        detail: String,
    },
    /// The connect or total time limit passed.
    #[error("time limit of {limit_ms} ms passed while fetching {url}")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit that passed, in milliseconds.
        limit_ms: u128,
    },
    /// Reading or writing the connection failed.
    #[error("I/O error with {url}: {detail}")]
    Io {
        /// The URL.
        url: String,
        /// The error.
        detail: String,
    },
    /// The server answered with a status other than 200.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The answer is larger than the size limit.
    #[error("the answer of {url} is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The answer is not valid HTTP/1.x.
    #[error("malformed HTTP answer from {url}: {detail}")]
    Protocol {
        /// The URL.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// The body is not the CRL, OCSP response, certificate or time-stamp response expected.
    #[error("unusable content from {url}: {detail}")]
    Content {
        /// The URL.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// The URL failed a moment ago; it is not asked again until the pause ends, so one dead
    /// responder does not cost every verification its full time limit.
    #[error("{url} failed recently ({reason}); not asked again for a minute")]
    RecentlyFailed {
        /// The URL.
        url: String,
        /// The earlier failure.
        reason: String,
    },
    /// The verification's overall deadline passed before this URL answered.
    #[error("no answer from {url} within {limit_ms} ms")]
    Deadline {
        /// The URL.
        url: String,
        /// The deadline, in milliseconds.
        limit_ms: u128,
    },
    /// Reading a trust-anchor file or directory failed.
    #[error("cannot read {path}: {detail}")]
    File {
        /// The path.
        path: String,
        /// The error.
        detail: String,
    },
    /// The PKI layer refused something (a malformed certificate...).
    #[error(transparent)]
    Pki(#[from] signet_pki::PkiError),
}

/// `Result` with [`NetError`].
pub type Result<T, E = NetError> = std::result::Result<T, E>;
