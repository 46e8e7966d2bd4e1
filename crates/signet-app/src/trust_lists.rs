//! The built-in Vietnamese trust lists (`trust/vn/` in the repository, compiled in): the
//! government's specialized CA of Ban Cơ yếu Chính phủ and the national root with the public
//! CAs under it. Roots are anchors; the subordinate CAs are offered to path building only, so
//! a signed PDF that embeds only its signer's certificate still chains to its root offline.

use std::sync::Arc;

use signet_pki::validation::{TrustAnchors, TrustListLabel};

use crate::{AppError, Invalid};

/// The version of the lists as shipped; bumped whenever a certificate is added or removed.
pub const VERSION: &str = "2026.12.1";

/// One built-in list: the roots (anchors) and the CAs under them (path building only).
pub struct TrustList {
    /// Stable id used in configuration and in the report (`vn-gov`, `vn-public`).
    pub id: &'static str,
    /// Its name as Vietnamese users know it.
    pub name_vi: &'static str,
    pub name_en: &'static str,
    /// (file stem, PEM) of the trust anchors.
    pub roots: &'static [(&'static str, &'static [u8])],
    /// (file stem, PEM) of the intermediate CAs.
    pub intermediates: &'static [(&'static str, &'static [u8])],
}

/// "Chữ ký số chuyên dùng Chính phủ": Ban Cơ yếu Chính phủ's CA (VGCA), generations 1 and 2.
pub const VN_GOV: TrustList = TrustList {
    id: "vn-gov",
    name_vi: "Chữ ký số chuyên dùng Chính phủ",
    name_en: "Government specialized digital signature (Ban Cơ yếu Chính phủ)",
    roots: &[
        (
            "vgca-root-g1",
            include_bytes!("../../../trust/vn/vgca-root-g1.pem"),
        ),
        (
            "vgca-root-g2",
            include_bytes!("../../../trust/vn/vgca-root-g2.pem"),
        ),
    ],
    intermediates: &[
        (
            "vgca-bca-g1",
            include_bytes!("../../../trust/vn/vgca-bca-g1.pem"),
        ),
        (
            "vgca-bng-g1",
            include_bytes!("../../../trust/vn/vgca-bng-g1.pem"),
        ),
        (
            "vgca-btc-g1",
            include_bytes!("../../../trust/vn/vgca-btc-g1.pem"),
        ),
        (
            "vgca-cp-g1",
            include_bytes!("../../../trust/vn/vgca-cp-g1.pem"),
        ),
        (
            "vgca-cp-g2",
            include_bytes!("../../../trust/vn/vgca-cp-g2.pem"),
        ),
        (
            "vgca-dcs-g1",
            include_bytes!("../../../trust/vn/vgca-dcs-g1.pem"),
        ),
        (
            "vgca-dcs-g2",
            include_bytes!("../../../trust/vn/vgca-dcs-g2.pem"),
        ),
    ],
};

/// "Chữ ký số công cộng": the national roots (NEAC) and the public CAs under them.
pub const VN_PUBLIC: TrustList = TrustList {
    id: "vn-public",
    name_vi: "Chữ ký số công cộng",
    name_en: "Public digital signature (Vietnam National Root CA)",
    roots: &[
        (
            "neac-root-g3",
            include_bytes!("../../../trust/vn/neac-root-g3.pem"),
        ),
        (
            "neac-root-mic-sha1",
            include_bytes!("../../../trust/vn/neac-root-mic-sha1.pem"),
        ),
        (
            "neac-root-sha256",
            include_bytes!("../../../trust/vn/neac-root-sha256.pem"),
        ),
        (
            "neac-root-tsa",
            include_bytes!("../../../trust/vn/neac-root-tsa.pem"),
        ),
    ],
    intermediates: &[
        (
            "bkavca-sha1",
            include_bytes!("../../../trust/vn/bkavca-sha1.pem"),
        ),
        ("ca2-sha1", include_bytes!("../../../trust/vn/ca2-sha1.pem")),
        (
            "fpt-ca-sha1",
            include_bytes!("../../../trust/vn/fpt-ca-sha1.pem"),
        ),
        (
            "newtel-ca-sha1",
            include_bytes!("../../../trust/vn/newtel-ca-sha1.pem"),
        ),
        (
            "safe-ca-sha1",
            include_bytes!("../../../trust/vn/safe-ca-sha1.pem"),
        ),
        (
            "smartsign-sha1",
            include_bytes!("../../../trust/vn/smartsign-sha1.pem"),
        ),
        (
            "viettel-ca-rs",
            include_bytes!("../../../trust/vn/viettel-ca-rs.pem"),
        ),
        (
            "viettel-ca-sha1",
            include_bytes!("../../../trust/vn/viettel-ca-sha1.pem"),
        ),
        (
            "vnpt-ca-sha1",
            include_bytes!("../../../trust/vn/vnpt-ca-sha1.pem"),
        ),
        (
            "vnpt-ca-sha2",
            include_bytes!("../../../trust/vn/vnpt-ca-sha2.pem"),
        ),
        (
            "vnpt-smartca-rs",
            include_bytes!("../../../trust/vn/vnpt-smartca-rs.pem"),
        ),
        ("winca", include_bytes!("../../../trust/vn/winca.pem")),
    ],
};

/// Every built-in list.
pub const ALL: [&TrustList; 2] = [&VN_GOV, &VN_PUBLIC];

/// The list with this id.
pub fn by_id(id: &str) -> Option<&'static TrustList> {
    ALL.into_iter().find(|l| l.id == id)
}

impl TrustList {
    /// The label the report carries for a chain ending in this list.
    pub fn label(&self) -> TrustListLabel {
        TrustListLabel {
            id: self.id.into(),
            name: self.name_vi.into(),
        }
    }

    /// Adds this list's roots as anchors and its intermediates as path-building certificates.
    pub fn add_to(&self, anchors: &mut TrustAnchors) -> Result<(), AppError> {
        let label = Arc::new(self.label());
        let bad = |name: &str, e: signet_pki::PkiError| {
            AppError::Invalid(Invalid::TrustAnchors {
                detail: format!("built-in trust list {}: {name}: {e}", self.id),
            })
        };
        for (name, pem) in self.roots {
            for der in signet_pki::validation::certificates_from_pem_or_der(pem)
                .map_err(|e| bad(name, e))?
            {
                anchors
                    .add_to_list(&der, &label)
                    .map_err(|e| bad(name, e))?;
            }
        }
        for (name, pem) in self.intermediates {
            for der in signet_pki::validation::certificates_from_pem_or_der(pem)
                .map_err(|e| bad(name, e))?
            {
                anchors
                    .add_path_certificate(&der)
                    .map_err(|e| bad(name, e))?;
            }
        }
        Ok(())
    }
}

/// Parses list ids (`vn-gov`, `vn-public`); an unknown id is an error naming it.
pub fn parse_ids(ids: &[String]) -> Result<Vec<&'static TrustList>, AppError> {
    ids.iter()
        .map(|id| {
            by_id(id).ok_or_else(|| {
                AppError::Invalid(Invalid::TrustAnchors {
                    detail: format!("unknown trust list {id:?} (known: vn-gov, vn-public)"),
                })
            })
        })
        .collect()
}
