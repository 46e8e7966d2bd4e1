//! Long-term archives (B-LTA renewal, issue 11 §4): which document timestamp currently
//! protects a file, and whether it must be renewed before a horizon.
//!
//! A document timestamp proves the file existed at its time only while its TSA certificate
//! (and algorithms) can still be trusted; before that certificate expires the archive adds the
//! validation data of the last timestamp's chain and a new document timestamp (ETSI EN 319
//! 142-1, B-LTA). Pure: the horizon is passed in, nothing is fetched here.

use signet_pdf::Document;
use signet_pki::validation::{self, CertSummary};
use time::OffsetDateTime;

use crate::verify::{intact_document_timestamps, Unreadable};

/// The timestamp that currently protects a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampKind {
    /// A document timestamp (B-LTA).
    Document,
    /// A signature's own timestamp (B-T / B-LT file, no document timestamp yet): its first
    /// renewal makes the file B-LTA.
    Signature,
}

/// The newest intact document timestamp of a file, or else the signature timestamp whose TSA
/// certificate expires first.
#[derive(Clone, Debug)]
pub struct LastTimestamp {
    pub kind: TimestampKind,
    /// The revision it covers (0-based).
    pub revision: usize,
    /// Its genTime.
    pub gen_time: OffsetDateTime,
    /// The TSA certificate the token carries (`None`: the token carries none — due at once,
    /// since nothing says how long it can be trusted).
    pub tsa: Option<CertSummary>,
}

/// Whether a file needs a new document timestamp before the horizon.
#[derive(Clone, Debug)]
pub enum Renewal {
    /// No timestamp at all (B-B, or not signed): nothing proves a time, nothing to renew.
    NotArchived,
    /// The last timestamp stays trustworthy past the horizon.
    NotDue(LastTimestamp),
    /// The last timestamp's TSA certificate expires before the horizon (or is unknown).
    Due(LastTimestamp),
}

/// Finds the last intact document timestamp of `pdf` and says whether it must be renewed
/// because its TSA certificate expires before `horizon`.
pub fn renewal_due(pdf: &[u8], horizon: OffsetDateTime) -> Result<Renewal, Unreadable> {
    let doc = Document::parse(pdf).map_err(Unreadable::from)?;
    let Some(last) = last_timestamp(&doc).or_else(|| first_expiring_signature_timestamp(&doc))
    else {
        return Ok(Renewal::NotArchived);
    };
    let expires = last.tsa.as_ref().map(|c| c.not_after);
    Ok(match expires {
        Some(t) if t > horizon => Renewal::NotDue(last),
        _ => Renewal::Due(last),
    })
}

/// The newest intact document timestamp (highest covered revision, then latest time).
pub fn last_timestamp(doc: &Document) -> Option<LastTimestamp> {
    intact_document_timestamps(doc)
        .into_iter()
        .max_by_key(|t| (t.revision, t.gen_time))
        .map(|t| LastTimestamp {
            kind: TimestampKind::Document,
            revision: t.revision,
            gen_time: t.gen_time,
            tsa: t
                .tsa_certificate
                .as_deref()
                .and_then(|der| validation::summarize(der).ok()),
        })
}

/// Of the signatures' own timestamps (unsigned attribute of each `/Sig`), the one whose TSA
/// certificate expires first: what a B-LT file's proof of time rests on. Only for scheduling:
/// the verification judges the tokens.
fn first_expiring_signature_timestamp(doc: &Document) -> Option<LastTimestamp> {
    let fields = doc.acro_form_fields().ok()?;
    let last = doc.revisions().len().saturating_sub(1);
    fields
        .iter()
        .filter_map(|f| f.sig_dict.as_ref())
        .filter_map(|d| {
            d.get(b"Contents")
                .and_then(signet_pdf::Object::as_str_bytes)
        })
        .filter_map(|contents| signet_pki::parse_signature(contents).ok())
        .flat_map(|cms| cms.signature_timestamps)
        .filter_map(|der| signet_pki::parse_timestamp_token(&der).ok())
        .map(|token| LastTimestamp {
            kind: TimestampKind::Signature,
            revision: last,
            gen_time: token.info.gen_time,
            tsa: token
                .tsa_certificate
                .as_deref()
                .and_then(|der| validation::summarize(der).ok()),
        })
        .min_by_key(|t| t.tsa.as_ref().map(|c| c.not_after))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::sign::add_document_timestamp;
    use crate::testing::LocalPki;
    use time::macros::datetime;

    fn timestamped(pki: &LocalPki) -> Vec<u8> {
        let pdf = signet_pdf::one_page_pdf([0.0, 0.0, 595.0, 842.0], b"");
        add_document_timestamp(&pdf, pki, "Signet-DocTimeStamp").unwrap()
    }

    #[test]
    fn a_file_without_document_timestamp_is_not_an_archive() {
        let pdf = signet_pdf::one_page_pdf([0.0, 0.0, 595.0, 842.0], b"");
        let r = renewal_due(&pdf, datetime!(2030-01-01 0:00 UTC)).unwrap();
        assert!(matches!(r, Renewal::NotArchived), "{r:?}");
    }

    #[test]
    fn due_only_when_the_tsa_certificate_expires_before_the_horizon() {
        let now = datetime!(2026-01-01 0:00 UTC);
        let pki = LocalPki::new(now).unwrap();
        let pdf = timestamped(&pki);
        let Renewal::NotDue(last) = renewal_due(&pdf, now).unwrap() else {
            panic!("a fresh TSA certificate is not due now");
        };
        let tsa = last.tsa.expect("the built-in TSA embeds its certificate");
        assert_eq!(last.gen_time, now);
        assert!(tsa.not_after > now);
        let after = tsa.not_after + time::Duration::days(1);
        assert!(matches!(renewal_due(&pdf, after).unwrap(), Renewal::Due(_)));
    }

    #[test]
    fn the_newest_timestamp_is_the_one_that_counts() {
        let pki = LocalPki::new(datetime!(2026-01-01 0:00 UTC)).unwrap();
        let first = timestamped(&pki);
        let later = LocalPki::new(datetime!(2027-06-01 0:00 UTC)).unwrap();
        let renewed = add_document_timestamp(&first, &later, "Signet-DocTimeStamp").unwrap();
        let doc = Document::parse(&renewed).unwrap();
        let last = last_timestamp(&doc).unwrap();
        assert_eq!(last.gen_time, datetime!(2027-06-01 0:00 UTC));
        assert!(
            last.revision
                > last_timestamp(&Document::parse(&first).unwrap())
                    .unwrap()
                    .revision
        );
    }

    /// A B-T file (no document timestamp): its signature's timestamp is what must be renewed,
    /// and the first renewal adds the first document timestamp.
    #[test]
    fn a_b_t_file_is_due_by_its_signature_timestamp() {
        use crate::sign::{sign, Level, NewField, Request};
        let now = datetime!(2026-01-01 0:00 UTC);
        let pki = LocalPki::new(now).unwrap();
        let key = pki.issue("Nguyễn Văn An", false).unwrap();
        let pdf = signet_pdf::one_page_pdf([0.0, 0.0, 595.0, 842.0], b"");
        let req = Request {
            field: "LanhDao".into(),
            create: Some(NewField {
                name: "LanhDao".into(),
                page: 0,
                rect: [0.0; 4],
            }),
            appearance: None,
            m: crate::pdfdate::pdf_date(now),
            reason: None,
            location: None,
            level: Level::BT,
            validation_data: None,
            fill: Vec::new(),
        };
        let anchors = pki.anchors();
        let signed = sign(
            &pdf,
            &req,
            &key,
            &key.chain[0],
            &key.chain[1..],
            &pki,
            &anchors,
            now,
        )
        .unwrap();
        let Renewal::NotDue(last) = renewal_due(&signed, now).unwrap() else {
            panic!("a fresh signature timestamp is not due now");
        };
        assert_eq!(last.kind, TimestampKind::Signature);
        let after = last.tsa.unwrap().not_after + time::Duration::days(1);
        let Renewal::Due(due) = renewal_due(&signed, after).unwrap() else {
            panic!("due once its TSA certificate has expired");
        };
        assert_eq!(due.kind, TimestampKind::Signature);
        let archived = add_document_timestamp(&signed, &pki, "Signet-DocTimeStamp").unwrap();
        let Renewal::NotDue(last) = renewal_due(&archived, now).unwrap() else {
            panic!("just archived");
        };
        assert_eq!(last.kind, TimestampKind::Document);
    }

    #[test]
    fn garbage_is_unreadable_not_a_panic() {
        assert!(renewal_due(b"not a pdf", datetime!(2026-01-01 0:00 UTC)).is_err());
    }
}
