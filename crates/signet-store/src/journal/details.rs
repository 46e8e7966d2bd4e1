//! What each journal action records, one type per action.
//!
//! The details are stored as JSON text and the entry's hash covers that text byte for byte
//! (`signet_core::journal::Entry::compute_hash`). The canonical encoding is `serde_json`'s
//! compact form of these types: fields in declaration order, no spaces, strings escaped by
//! serde_json. Changing a field's name or order changes what new entries hash, never what old
//! ones do: a stored entry is verified against its stored text, so journals written by
//! earlier versions (whose details were built by hand in the same shape) keep verifying.

use serde::Serialize;
use signet_core::journal::NewEntry;

use crate::StoreError;

/// One journal action: its name and the details it records.
pub(crate) trait Action: Serialize {
    fn name(&self) -> String;
}

/// The entry for `action` by `actor` on `subject` at `at_ms`, its details canonically encoded.
pub(crate) fn entry<A: Action>(
    at_ms: i64,
    actor: &str,
    subject: &str,
    action: &A,
) -> Result<NewEntry, StoreError> {
    let details =
        serde_json::to_string(action).map_err(|e| StoreError::Corrupt(format!("journal: {e}")))?;
    Ok(NewEntry {
        at_ms,
        actor: actor.to_owned(),
        action: action.name(),
        subject: subject.to_owned(),
        details,
    })
}

macro_rules! named {
    ($ty:ident, $name:literal) => {
        impl Action for $ty<'_> {
            fn name(&self) -> String {
                $name.to_owned()
            }
        }
    };
}

#[derive(Serialize)]
pub(crate) struct AgencyCreated<'a> {
    pub code: &'a str,
}
named!(AgencyCreated, "agency.created");

#[derive(Serialize)]
pub(crate) struct UnitCreated<'a> {
    pub abbreviation: &'a str,
}
named!(UnitCreated, "unit.created");

#[derive(Serialize)]
pub(crate) struct PersonCreated<'a> {
    pub username: &'a str,
    /// The role codes, comma-separated (as stored).
    pub roles: &'a str,
}
named!(PersonCreated, "person.created");

/// An administrator changed a person's particulars: which fields, and the roles and unit
/// they now have (who may do what is what an audit asks about).
#[derive(Serialize)]
pub(crate) struct PersonUpdated<'a> {
    /// The changed fields' codes, comma-separated.
    pub changed: &'a str,
    pub roles: &'a str,
    pub unit: &'a str,
}
named!(PersonUpdated, "person.updated");

/// An administrator set a temporary password; `sessions` is how many sessions it ended.
#[derive(Serialize)]
pub(crate) struct PasswordReset<'a> {
    pub how: &'a str,
    pub sessions: u64,
}
named!(PasswordReset, "person.password_reset");

/// The person chose a new password; their other sessions ended.
#[derive(Serialize)]
pub(crate) struct PasswordChanged<'a> {
    pub by: &'a str,
    pub sessions: u64,
}
named!(PasswordChanged, "person.password_changed");

/// An administrator ended sessions of a person (one, or all of them).
#[derive(Serialize)]
pub(crate) struct SessionsEnded<'a> {
    pub which: &'a str,
    pub sessions: u64,
}
named!(SessionsEnded, "person.sessions_ended");

/// A unit renamed or moved under another unit (`parent` empty: at the top of the agency).
#[derive(Serialize)]
pub(crate) struct UnitUpdated<'a> {
    pub name: &'a str,
    pub abbreviation: &'a str,
    pub parent: &'a str,
}
named!(UnitUpdated, "unit.updated");

/// `person.enabled` / `person.disabled`: nothing more to say than the action (`{}`).
#[derive(Serialize)]
pub(crate) struct PersonActive {
    #[serde(skip)]
    pub active: bool,
}

impl Action for PersonActive {
    fn name(&self) -> String {
        if self.active {
            "person.enabled"
        } else {
            "person.disabled"
        }
        .to_owned()
    }
}

/// A file as the journal names it.
#[derive(Serialize)]
pub(crate) struct FileDetails<'a> {
    pub sha256: &'a str,
    pub name: &'a str,
    pub size: u64,
}

#[derive(Serialize)]
pub(crate) struct DocumentDrafted<'a> {
    pub subject: &'a str,
    #[serde(rename = "type")]
    pub doc_type: &'a str,
    pub files: Vec<FileDetails<'a>>,
    /// Who may read it is part of what the journal vouches for (entries before it lack it).
    pub secrecy: &'a str,
}
named!(DocumentDrafted, "document.drafted");

#[derive(Serialize)]
pub(crate) struct DocumentRegistered<'a> {
    pub arrival_number: i64,
    pub notation: &'a str,
    pub from: &'a str,
    pub files: Vec<FileDetails<'a>>,
    pub subject: &'a str,
    pub secrecy: &'a str,
}
named!(DocumentRegistered, "document.registered");

/// A lifecycle step: `document.<new state>`.
#[derive(Serialize)]
pub(crate) struct DocumentMoved<'a> {
    pub from: &'a str,
    pub to: &'a str,
}

impl Action for DocumentMoved<'_> {
    fn name(&self) -> String {
        format!("document.{}", self.to)
    }
}

/// Trình: a draft submitted along a route (reviewers as `[level, person]`).
#[derive(Serialize)]
pub(crate) struct DraftSubmitted<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub round: i64,
    pub version: i64,
    pub reviewers: Vec<(i64, &'a str)>,
    pub signer: Option<&'a str>,
}

impl Action for DraftSubmitted<'_> {
    fn name(&self) -> String {
        format!("document.{}", self.to)
    }
}

/// A reviewer approved or forwarded their review.
#[derive(Serialize)]
pub(crate) struct DraftReviewed<'a> {
    pub round: i64,
    pub version: i64,
    pub level: i64,
    pub decision: &'a str,
    pub forwarded_to: Option<&'a str>,
    /// The SHA-256 of the revision the reviewer initialled (ký nháy), when they did.
    pub initialled: Option<&'a str>,
}
named!(DraftReviewed, "document.reviewed");

/// A draft sent back to its author, by a reviewer (`level` ≥ 1) or the signer (0).
#[derive(Serialize)]
pub(crate) struct DraftReturned<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub round: i64,
    pub level: i64,
    pub reason: &'a str,
}

impl Action for DraftReturned<'_> {
    fn name(&self) -> String {
        format!("document.{}", self.to)
    }
}

/// A new version of a draft: which fields changed, which files it adds.
#[derive(Serialize)]
pub(crate) struct DraftRevised<'a> {
    pub version: i64,
    pub changed: Vec<&'static str>,
    /// The journaled fields as they now are (`journal verify` replays them).
    pub subject: &'a str,
    pub secrecy: &'a str,
    pub files: Vec<FileDetails<'a>>,
}
named!(DraftRevised, "document.revised");

#[derive(Serialize)]
pub(crate) struct DocumentIssued<'a> {
    pub number: i64,
    pub notation: &'a str,
    pub series: &'a str,
    pub issued_on: &'a str,
}
named!(DocumentIssued, "document.issued");

/// The leader's digital signature stored as the document's new file: `document.signed`.
#[derive(Serialize)]
pub(crate) struct DocumentSignedFile<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub sha256: &'a str,
    pub pending: &'a str,
}

impl Action for DocumentSignedFile<'_> {
    fn name(&self) -> String {
        format!("document.{}", self.to)
    }
}

/// A number taken for an issuance that waits for the seal.
#[derive(Serialize)]
pub(crate) struct DocumentNumbered<'a> {
    pub number: i64,
    pub notation: &'a str,
    pub series: &'a str,
}
named!(DocumentNumbered, "document.numbered");

/// Issued: the number written on the file and the agency's seal on it.
#[derive(Serialize)]
pub(crate) struct DocumentSealed<'a> {
    pub number: i64,
    pub notation: &'a str,
    pub series: &'a str,
    pub issued_on: &'a str,
    pub sha256: &'a str,
}
named!(DocumentSealed, "document.issued");
/// `archive.renewed`: the issued file got a new document timestamp (and the validation data
/// of the one it renews) as a new revision, before the old proof's TSA certificate expires.
#[derive(Serialize)]
pub(crate) struct ArchiveRenewed<'a> {
    pub previous_sha256: &'a str,
    pub sha256: &'a str,
    pub renewed: &'a str,
    pub previous_expiry: Option<&'a str>,
}
named!(ArchiveRenewed, "archive.renewed");
/// `document.assigned`: the leader's direction and who handles the document by when.
#[derive(Serialize)]
pub(crate) struct IncomingAssigned<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub instruction: &'a str,
    pub deadline: &'a str,
    pub lead: &'a str,
    pub co: Vec<&'a str>,
    pub info: Vec<&'a str>,
}
named!(IncomingAssigned, "document.assigned");

/// `document.reassigned`: the lead moved (a unit's head gives it to one of the unit).
#[derive(Serialize)]
pub(crate) struct LeadReassigned<'a> {
    pub from: &'a str,
    pub to: &'a str,
}
named!(LeadReassigned, "document.reassigned");

#[derive(Serialize)]
pub(crate) struct NoteAdded<'a> {
    pub note: &'a str,
    /// The files attached to the note (left out when none, as before files existed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileDetails<'a>>,
}
named!(NoteAdded, "document.note");

/// `document.opinion_asked`: a handler asks a leader for an opinion.
#[derive(Serialize)]
pub(crate) struct OpinionAsked<'a> {
    pub request: &'a str,
    pub leader: &'a str,
    pub question: &'a str,
}
named!(OpinionAsked, "document.opinion_asked");

/// `document.opinion_given`: the leader's answer.
#[derive(Serialize)]
pub(crate) struct OpinionGiven<'a> {
    pub request: &'a str,
    pub answer: &'a str,
}
named!(OpinionGiven, "document.opinion_given");

/// `document.reply_drafted`, on the incoming document: the outgoing draft that answers it.
#[derive(Serialize)]
pub(crate) struct ReplyDrafted<'a> {
    pub reply: &'a str,
}
named!(ReplyDrafted, "document.reply_drafted");

/// `meeting.scheduled`, on the invitation: when, where, who.
#[derive(Serialize)]
pub(crate) struct MeetingScheduled<'a> {
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub place: &'a str,
    pub chair: Option<&'a str>,
    pub participants: Vec<&'a str>,
    pub materials: Vec<FileDetails<'a>>,
}
named!(MeetingScheduled, "meeting.scheduled");

/// `meeting.answered`: a participant's attendance, with the reason of a refusal.
#[derive(Serialize)]
pub(crate) struct MeetingAnswered<'a> {
    pub participant: &'a str,
    pub attends: bool,
    pub reason: &'a str,
}
named!(MeetingAnswered, "meeting.answered");

/// `meeting.materials`: materials added to a meeting after it was scheduled.
#[derive(Serialize)]
pub(crate) struct MaterialsAdded<'a> {
    pub materials: Vec<FileDetails<'a>>,
}
named!(MaterialsAdded, "meeting.materials");

/// `document.done`: how the processing ended, and whether by the deadline.
#[derive(Serialize)]
pub(crate) struct IncomingCompleted<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub outcome: &'a str,
    pub reply: Option<&'a str>,
    pub done_on: &'a str,
    pub on_time: bool,
}
named!(IncomingCompleted, "document.done");

/// `document.extension_requested`: a new deadline asked for, and why.
#[derive(Serialize)]
pub(crate) struct ExtensionRequested<'a> {
    pub deadline: &'a str,
    pub reason: &'a str,
}
named!(ExtensionRequested, "document.extension_requested");

/// `document.extension_decided`: the assigner's answer.
#[derive(Serialize)]
pub(crate) struct ExtensionDecided<'a> {
    pub deadline: &'a str,
    pub approved: bool,
}
named!(ExtensionDecided, "document.extension_decided");

/// `document.verdicts`: the verification verdicts of an issued document's file.
#[derive(Serialize)]
pub(crate) struct SignatureVerdicts {
    pub leader_signature_valid: bool,
    pub seal_valid: bool,
}

impl Action for SignatureVerdicts {
    fn name(&self) -> String {
        "document.verdicts".to_owned()
    }
}

#[derive(Serialize)]
pub(crate) struct HolidaySet<'a> {
    pub name: Option<&'a str>,
}
named!(HolidaySet, "holiday.set");

/// `signing.server_keys` (an administrator allows or forbids signing with server-held keys).
#[derive(Serialize)]
pub(crate) struct ServerKeysSet {
    pub enabled: bool,
}
impl Action for ServerKeysSet {
    fn name(&self) -> String {
        "signing.server_keys".to_owned()
    }
}

/// `signature_image.set` / the image removed (`sha256` null).
#[derive(Serialize)]
pub(crate) struct SignatureImageSet<'a> {
    pub sha256: Option<&'a str>,
}
named!(SignatureImageSet, "signature_image.set");

#[derive(Serialize)]
pub(crate) struct TrustListSet<'a> {
    pub list: &'a str,
    pub enabled: bool,
}
named!(TrustListSet, "trust_list.set");

#[derive(Serialize)]
pub(crate) struct CertificateIssued<'a> {
    pub serial: &'a str,
    pub kind: &'a str,
    pub holder: &'a str,
    pub not_after_ms: i64,
}
named!(CertificateIssued, "certificate.issued");

#[derive(Serialize)]
pub(crate) struct CertificateRevoked<'a> {
    pub serial: &'a str,
    pub reason: &'a str,
}
named!(CertificateRevoked, "certificate.revoked");

/// `remote.credential_created`: a remote-signing credential, its key made in the HSM.
#[derive(Serialize)]
pub(crate) struct RemoteCredentialCreated<'a> {
    pub holder: &'a str,
    pub key_label: &'a str,
    pub key_algo: &'a str,
}
named!(RemoteCredentialCreated, "remote.credential_created");

/// `remote.authorized`: a SAD issued for `hashes` hashes (by PIN, or by an approved request).
#[derive(Serialize)]
pub(crate) struct RemoteAuthorized<'a> {
    pub credential: &'a str,
    pub hashes: usize,
    pub expires_at_ms: i64,
}
named!(RemoteAuthorized, "remote.authorized");

/// `remote.signed`: hashes signed with a credential's key (the hex digests, in order).
#[derive(Serialize)]
pub(crate) struct RemoteSigned<'a> {
    pub credential: &'a str,
    pub hashes: Vec<&'a str>,
}
named!(RemoteSigned, "remote.signed");

/// `remote.requested`: a signing request shown on the holder's phone.
#[derive(Serialize)]
pub(crate) struct RemoteRequested<'a> {
    pub credential: &'a str,
    pub label: &'a str,
    pub application: &'a str,
    pub hashes: usize,
}
named!(RemoteRequested, "remote.requested");

/// `remote.rejected`: the holder refused a signing request.
#[derive(Serialize)]
pub(crate) struct RemoteRejected<'a> {
    pub credential: &'a str,
}
named!(RemoteRejected, "remote.rejected");

/// `remote.locked` (too many wrong PINs) / `remote.unlocked` (by an administrator).
#[derive(Serialize)]
pub(crate) struct RemoteLock {
    #[serde(skip)]
    pub locked: bool,
    pub failed_pins: i64,
}

impl Action for RemoteLock {
    fn name(&self) -> String {
        if self.locked {
            "remote.locked"
        } else {
            "remote.unlocked"
        }
        .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details<A: Action>(a: &A) -> (String, String) {
        let e = entry(1, "p", "s", a).unwrap();
        (e.action, e.details)
    }

    /// The encoding is the one the hand-built JSON had: same fields, same order, no spaces (new
    /// fields only appended).
    #[test]
    fn canonical_encoding_matches_the_earlier_hand_built_text() {
        let drafted = DocumentDrafted {
            subject: "Về việc \"ký số\"",
            doc_type: "cong-van",
            files: vec![FileDetails {
                sha256: "ab",
                name: "a.pdf",
                size: 3,
            }],
            secrecy: "mat",
        };
        assert_eq!(
            details(&drafted),
            (
                "document.drafted".into(),
                r#"{"subject":"Về việc \"ký số\"","type":"cong-van","files":[{"sha256":"ab","name":"a.pdf","size":3}],"secrecy":"mat"}"#.into()
            )
        );
        let moved = DocumentMoved {
            from: "submitted",
            to: "draft",
        };
        assert_eq!(
            details(&moved),
            (
                "document.draft".into(),
                r#"{"from":"submitted","to":"draft"}"#.into()
            )
        );
        assert_eq!(
            details(&PersonActive { active: false }),
            ("person.disabled".into(), "{}".into())
        );
    }
}

/// A copy of a document took its number from the copies register (journaled on the
/// original: its history shows the copies made of it).
#[derive(Serialize)]
pub(crate) struct CopyNumbered<'a> {
    pub copy: &'a str,
    pub kind: &'a str,
    pub number: i64,
    pub notation: &'a str,
    pub source: &'a str,
    pub pages: &'a str,
    pub source_sha256: &'a str,
}
named!(CopyNumbered, "copy.numbered");

/// The copy's file, sealed by the agency.
#[derive(Serialize)]
pub(crate) struct CopySealed<'a> {
    pub copy: &'a str,
    pub notation: &'a str,
    pub sha256: &'a str,
}
named!(CopySealed, "copy.sealed");

/// The copy's seal could not be made: its number stays taken, with the reason.
#[derive(Serialize)]
pub(crate) struct CopyFailed<'a> {
    pub copy: &'a str,
    pub notation: &'a str,
    pub reason: &'a str,
}
named!(CopyFailed, "copy.failed");

/// A copy whose seal failed is sealed again (the clerk asked): same number, same source.
#[derive(Serialize)]
pub(crate) struct CopyRetried<'a> {
    pub copy: &'a str,
    pub notation: &'a str,
}
named!(CopyRetried, "copy.retried");
