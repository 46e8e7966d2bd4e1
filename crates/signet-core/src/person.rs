//! People, roles and what a person may see.

use serde::{Deserialize, Serialize};

use crate::document::Secrecy;
use crate::ids::{AgencyId, PersonId};
use crate::lifecycle::{DocumentState, Step};
use crate::CoreError;

/// A role a person holds in an agency. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Role {
    /// Quản trị: manages units, people and settings of the agency.
    Administrator,
    /// Văn thư: registers incoming documents, numbers and issues outgoing ones.
    Clerk,
    /// Lãnh đạo (incl. deputies): signs outgoing documents, assigns incoming ones.
    Leader,
    /// Chuyên viên: drafts and handles documents.
    Officer,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Self::Administrator,
        Self::Clerk,
        Self::Leader,
        Self::Officer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Administrator => "admin",
            Self::Clerk => "clerk",
            Self::Leader => "leader",
            Self::Officer => "officer",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Administrator => "Quản trị",
            Self::Clerk => "Văn thư",
            Self::Leader => "Lãnh đạo",
            Self::Officer => "Chuyên viên",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Administrator => "Administrator",
            Self::Clerk => "Clerk",
            Self::Leader => "Leader",
            Self::Officer => "Officer",
        }
    }

    pub fn parse(s: &str) -> Result<Self, CoreError> {
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.code() == s)
            .ok_or_else(|| CoreError::UnknownRole(s.to_owned()))
    }
}

impl TryFrom<String> for Role {
    type Error = CoreError;
    fn try_from(s: String) -> Result<Self, CoreError> {
        Self::parse(&s)
    }
}

impl From<Role> for &'static str {
    fn from(r: Role) -> &'static str {
        r.code()
    }
}

/// Who is asking: a signed-in person, their agency and their roles. Every read in the
/// system is scoped by one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub person_id: PersonId,
    pub agency_id: AgencyId,
    pub roles: Vec<Role>,
}

/// What the permission rules need to know of a document.
#[derive(Debug, Clone, Copy)]
pub struct DocumentScope<'a> {
    pub agency_id: &'a AgencyId,
    pub created_by: &'a PersonId,
    pub secrecy: Secrecy,
    pub state: DocumentState,
    /// The leader chosen to sign a submitted draft (`None`: any leader).
    pub signer: Option<&'a PersonId>,
    /// A submitted draft still with its reviewers (issue 13 §2): not yet the signer's turn.
    pub in_review: bool,
}

impl Viewer {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// A person never sees another agency's documents. Within the agency, secret documents
    /// are limited to the leaders, the clerks and the person who drafted them.
    pub fn can_read(&self, doc: DocumentScope<'_>) -> bool {
        if *doc.agency_id != self.agency_id {
            return false;
        }
        !doc.secrecy.is_secret()
            || self.has(Role::Leader)
            || self.has(Role::Clerk)
            || *doc.created_by == self.person_id
    }

    /// Anyone in the agency but an administrator-only account may draft.
    pub fn can_draft(&self) -> bool {
        self.has(Role::Officer) || self.has(Role::Leader) || self.has(Role::Clerk)
    }

    pub fn can_sign(&self) -> bool {
        self.has(Role::Leader)
    }

    /// Numbering, issuing and registering incoming documents are the clerk's.
    pub fn can_register(&self) -> bool {
        self.has(Role::Clerk)
    }

    pub fn can_administer(&self) -> bool {
        self.has(Role::Administrator)
    }

    /// The part of the step rules that needs no document: whether this person's roles could
    /// allow `step` on any document (a leader signs and returns, a clerk issues; submitting
    /// depends on whose draft it is). A "no" here is safe to give before looking the
    /// document up: it says nothing about the document.
    pub fn could(&self, step: Step) -> bool {
        match step {
            Step::Submit => true,
            Step::Sign | Step::Return => self.can_sign(),
            Step::Issue | Step::Present => self.can_register(),
        }
    }

    /// Whether this person may take `step` on the document, whatever its state: the author
    /// or a clerk submits, a leader signs or returns, a clerk issues. The one copy of these
    /// rules; the state is the lifecycle's business (see [`Viewer::allowed_steps`]).
    pub fn may(&self, step: Step, doc: DocumentScope<'_>) -> bool {
        if !self.can_read(doc) || !self.could(step) {
            return false;
        }
        match step {
            Step::Submit => *doc.created_by == self.person_id || self.can_register(),
            // The signer's turn comes after every review level, and is the chosen leader's.
            Step::Sign | Step::Return => {
                !doc.in_review && doc.signer.is_none_or(|s| *s == self.person_id)
            }
            Step::Issue | Step::Present => true,
        }
    }

    /// The steps this person may take on the document now: those that start from its
    /// state and that their roles allow.
    pub fn allowed_steps(&self, doc: DocumentScope<'_>) -> Vec<Step> {
        Step::ALL
            .iter()
            .copied()
            .filter(|s| s.starts_from() == doc.state && self.may(*s, doc))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::lifecycle::{IncomingState, OutgoingState};

    fn viewer(agency: &str, roles: &[Role]) -> Viewer {
        Viewer {
            person_id: "p1".into(),
            agency_id: agency.into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn never_across_agencies() {
        let v = viewer("a", &[Role::Leader, Role::Clerk, Role::Administrator]);
        let (b, p1) = (AgencyId::new("b"), PersonId::new("p1"));
        let doc = DocumentScope {
            agency_id: &b,
            created_by: &p1,
            secrecy: Secrecy::None,
            state: OutgoingState::Draft.into(),
            signer: None,
            in_review: false,
        };
        assert!(!v.can_read(doc));
        assert!(v.allowed_steps(doc).is_empty());
    }

    #[test]
    fn secret_documents_within_agency() {
        let (a, p1, p2) = (AgencyId::new("a"), PersonId::new("p1"), PersonId::new("p2"));
        let doc = DocumentScope {
            agency_id: &a,
            created_by: &p2,
            secrecy: Secrecy::Secret,
            state: OutgoingState::Draft.into(),
            signer: None,
            in_review: false,
        };
        assert!(!viewer("a", &[Role::Officer]).can_read(doc));
        assert!(viewer("a", &[Role::Leader]).can_read(doc));
        assert!(viewer("a", &[Role::Clerk]).can_read(doc));
        let own = DocumentScope {
            created_by: &p1,
            ..doc
        };
        assert!(viewer("a", &[Role::Officer]).can_read(own));
    }

    fn steps(roles: &[Role], created_by: &str, state: DocumentState) -> Vec<Step> {
        let (a, author) = (AgencyId::new("a"), PersonId::new(created_by));
        viewer("a", roles).allowed_steps(DocumentScope {
            agency_id: &a,
            created_by: &author,
            secrecy: Secrecy::None,
            state,
            signer: None,
            in_review: false,
        })
    }

    #[test]
    fn the_chosen_signer_signs_once_the_reviews_are_done() {
        let (a, author, chosen) = ("a".into(), "p9".into(), "p1".into());
        let leader = viewer("a", &[Role::Leader]);
        let other = Viewer {
            person_id: "p2".into(),
            ..leader.clone()
        };
        let doc = DocumentScope {
            agency_id: &a,
            created_by: &author,
            secrecy: Secrecy::None,
            state: OutgoingState::Submitted.into(),
            signer: Some(&chosen),
            in_review: true,
        };
        assert!(leader.allowed_steps(doc).is_empty(), "still in review");
        let ready = DocumentScope {
            in_review: false,
            ..doc
        };
        assert_eq!(leader.allowed_steps(ready), [Step::Sign, Step::Return]);
        assert!(
            other.allowed_steps(ready).is_empty(),
            "not the chosen signer"
        );
        let anyone = DocumentScope {
            signer: None,
            ..ready
        };
        assert_eq!(other.allowed_steps(anyone), [Step::Sign, Step::Return]);
    }

    #[test]
    fn who_may_take_which_step() {
        let draft = OutgoingState::Draft.into();
        assert_eq!(steps(&[Role::Officer], "p1", draft), [Step::Submit]);
        assert!(steps(&[Role::Officer], "p2", draft).is_empty());
        assert_eq!(steps(&[Role::Clerk], "p2", draft), [Step::Submit]);
        assert!(steps(&[Role::Leader], "p2", draft).is_empty());
        let submitted = OutgoingState::Submitted.into();
        assert_eq!(
            steps(&[Role::Leader], "p2", submitted),
            [Step::Sign, Step::Return]
        );
        assert!(steps(&[Role::Officer, Role::Clerk], "p1", submitted).is_empty());
        let signed = OutgoingState::Signed.into();
        assert_eq!(steps(&[Role::Clerk], "p2", signed), [Step::Issue]);
        assert!(steps(&[Role::Leader], "p1", signed).is_empty());
        for s in [OutgoingState::Issued, OutgoingState::Sent] {
            assert!(steps(Role::ALL, "p1", s.into()).is_empty());
        }
        let registered = IncomingState::Registered.into();
        assert_eq!(steps(&[Role::Clerk], "p2", registered), [Step::Present]);
        assert!(steps(&[Role::Leader, Role::Officer], "p1", registered).is_empty());
    }

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), *r);
        }
    }
}
