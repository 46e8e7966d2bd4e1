//! The ETSI TS 119 102-2 (v1.4.1) XML validation report of a [`Report`]: what other
//! validators and archives read. One `SignatureValidationReport` per signature or document
//! timestamp, with its main indication and sub-indication as ETSI URIs, the signer's
//! certificate as a validation object (by its SHA-256), the signed document's SHA-256, the
//! claimed signing time and the best proven time. Written with a small escaping writer: the
//! schema is fixed and the values are few.
//!
//! Schema-valid against `1910202xmlSchema.xsd` (checked with xmllint in the tests; copies of
//! the XSDs and their source under `tests/etsi-xsd/`).

use base64::Engine;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::report::{Indication, Report, SignatureReport, SubIndication};

const NS_VR: &str = "http://uri.etsi.org/19102/v1.4.1#";
const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// The XML report of `report` for a document whose SHA-256 is `document_sha256`, validated at
/// `validation_time`.
pub fn etsi_report(
    report: &Report,
    document_sha256: &[u8; 32],
    validation_time: OffsetDateTime,
) -> String {
    let mut w = Xml::default();
    w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.raw(&format!(
        "<vr:ValidationReport xmlns:vr=\"{NS_VR}\" xmlns:ds=\"{NS_DS}\">\n"
    ));
    let now = rfc3339(validation_time);
    let doc = b64(document_sha256);
    let mut objects = Vec::new();
    for (i, s) in report.signatures.iter().enumerate() {
        let cert_id = s.signer.as_ref().and_then(|x| {
            let der_hash = hex::decode(&x.certificate_sha256).ok()?;
            let id = format!("C-{}", objects.len() + 1);
            objects.push((id.clone(), b64(&der_hash)));
            Some(id)
        });
        signature(&mut w, i, s, &now, &doc, cert_id.as_deref());
    }
    if !objects.is_empty() {
        w.raw("  <vr:SignatureValidationObjects>\n");
        for (id, digest) in &objects {
            w.raw(&format!("    <vr:ValidationObject id=\"{id}\">\n"));
            w.elem(
                "      ",
                "vr:ObjectType",
                "urn:etsi:019102:validationObject:certificate",
            );
            w.raw("      <vr:ValidationObjectRepresentation>\n");
            digest_alg_and_value(&mut w, "        ", digest);
            w.raw("      </vr:ValidationObjectRepresentation>\n");
            w.raw("    </vr:ValidationObject>\n");
        }
        w.raw("  </vr:SignatureValidationObjects>\n");
    }
    w.raw("</vr:ValidationReport>\n");
    w.out
}

fn signature(w: &mut Xml, i: usize, s: &SignatureReport, now: &str, doc: &str, cert: Option<&str>) {
    w.raw("  <vr:SignatureValidationReport>\n");
    w.raw(&format!(
        "    <vr:SignatureIdentifier id=\"S-{}\">\n",
        i + 1
    ));
    w.elem("      ", "vr:HashOnly", "false");
    w.elem("      ", "vr:DocHashOnly", "false");
    // The PDF signature field: how a PAdES signature is named in the file.
    w.elem("      ", "vr:DAIdentifier", &s.field);
    w.raw("    </vr:SignatureIdentifier>\n");
    w.raw("    <vr:ValidationTimeInfo>\n");
    w.elem("      ", "vr:ValidationTime", now);
    w.raw("      <vr:BestSignatureTime>\n");
    // The earliest time a valid timestamp proves (past signature validation), else the
    // timestamp's own time.
    let proven = s
        .proof_of_existence
        .as_deref()
        .or(s.timestamp.as_deref())
        .and_then(parse_time);
    let (poe, proof) = match &proven {
        Some(t) => (t.as_str(), "urn:etsi:019102:poetype:validation"),
        None => (now, "urn:etsi:019102:poetype:validation"),
    };
    w.elem("        ", "vr:POETime", poe);
    w.elem("        ", "vr:TypeOfProof", proof);
    w.raw("      </vr:BestSignatureTime>\n");
    w.raw("    </vr:ValidationTimeInfo>\n");
    w.raw("    <vr:SignersDocument>\n");
    digest_alg_and_value(w, "      ", doc);
    w.raw("    </vr:SignersDocument>\n");
    if let Some(t) = s.signing_time.as_deref().and_then(parse_time) {
        w.raw("    <vr:SignatureAttributes>\n");
        w.raw("      <vr:SigningTime>\n");
        w.elem("        ", "vr:Time", &t);
        w.raw("      </vr:SigningTime>\n");
        w.raw("    </vr:SignatureAttributes>\n");
    }
    if let (Some(id), Some(signer)) = (cert, &s.signer) {
        w.raw("    <vr:SignerInformation>\n");
        w.raw(&format!(
            "      <vr:SignerCertificate VOReference=\"{id}\"/>\n"
        ));
        w.elem("      ", "vr:Signer", &signer.subject);
        w.raw("    </vr:SignerInformation>\n");
    }
    w.raw("    <vr:SignatureValidationStatus>\n");
    w.elem("      ", "vr:MainIndication", main_indication(s.indication));
    if let Some(sub) = s.sub_indication {
        w.elem(
            "      ",
            "vr:SubIndication",
            &format!("urn:etsi:019102:subindication:{}", sub_name(sub)),
        );
    }
    if let Some(id) = cert {
        w.raw("      <vr:AssociatedValidationReportData>\n");
        w.raw("        <vr:CertificateChain>\n");
        w.raw(&format!(
            "          <vr:SigningCertificate VOReference=\"{id}\"/>\n"
        ));
        w.raw("        </vr:CertificateChain>\n");
        w.raw("      </vr:AssociatedValidationReportData>\n");
    }
    w.raw("    </vr:SignatureValidationStatus>\n");
    w.raw("  </vr:SignatureValidationReport>\n");
}

fn digest_alg_and_value(w: &mut Xml, indent: &str, digest_b64: &str) {
    w.raw(&format!("{indent}<vr:DigestAlgAndValue>\n"));
    w.raw(&format!(
        "{indent}  <ds:DigestMethod Algorithm=\"{SHA256_URI}\"/>\n"
    ));
    w.elem(&format!("{indent}  "), "ds:DigestValue", digest_b64);
    w.raw(&format!("{indent}</vr:DigestAlgAndValue>\n"));
}

fn main_indication(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "urn:etsi:019102:mainindication:total-passed",
        Indication::Indeterminate => "urn:etsi:019102:mainindication:indeterminate",
        Indication::TotalFailed => "urn:etsi:019102:mainindication:total-failed",
    }
}

/// The ETSI EN 319 102-1 name of a sub-indication (the JSON report's spelling).
pub fn sub_name(s: SubIndication) -> &'static str {
    match s {
        SubIndication::FormatFailure => "FORMAT_FAILURE",
        SubIndication::HashFailure => "HASH_FAILURE",
        SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
        SubIndication::Revoked => "REVOKED",
        SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
        SubIndication::RevokedNoPoe => "REVOKED_NO_POE",
        SubIndication::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
        SubIndication::NotYetValid => "NOT_YET_VALID",
        SubIndication::TryLater => "TRY_LATER",
        SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
        SubIndication::CryptoConstraintsFailureNoPoe => "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
        SubIndication::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
        SubIndication::NoSignerCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
    }
}

/// An RFC 3339 time as xs:dateTime (UTC), or `None` when the report kept a PDF date it could
/// not read.
fn parse_time(s: &str) -> Option<String> {
    OffsetDateTime::parse(s, &Rfc3339).ok().map(rfc3339)
}

fn rfc3339(t: OffsetDateTime) -> String {
    crate::pdfdate::rfc3339(t.to_offset(time::UtcOffset::UTC))
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Appends escaped XML text.
#[derive(Default)]
struct Xml {
    out: String,
}

impl Xml {
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn elem(&mut self, indent: &str, name: &str, text: &str) {
        self.out.push_str(&format!("{indent}<{name}>"));
        escape_into(&mut self.out, text);
        self.out.push_str(&format!("</{name}>\n"));
    }
}

/// Escapes text content; characters XML 1.0 cannot carry (controls other than tab, CR, LF)
/// become U+FFFD, so a hostile certificate subject cannot break the document.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}
