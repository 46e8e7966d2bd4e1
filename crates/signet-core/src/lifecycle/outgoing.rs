//! The outgoing document lifecycle (văn bản đi).
//!
//! `Outgoing<Draft>` → submit (trình ký) → `Outgoing<Submitted>` → sign → `Outgoing<Signed>`
//! → issue (numbered from the register, sealed) → `Outgoing<Issued>` → send → `Outgoing<Sent>`.
//! Each step consumes the value and is only defined on the state it starts from, so "issue
//! before signing" or "send before issuing" does not compile. Documents loaded from storage
//! enter the typed world through [`Outgoing::restore`], which checks the stored state.
//!
//! ```compile_fail
//! use signet_core::ids::DocumentId;
//! use signet_core::lifecycle::Outgoing;
//! // A draft cannot be sent: `send` exists only on `Outgoing<Issued>`.
//! Outgoing::new(DocumentId::new("d1")).send();
//! ```
//!
//! ```compile_fail
//! use signet_core::ids::DocumentId;
//! use signet_core::lifecycle::Outgoing;
//! // Nor issued before it is signed.
//! Outgoing::new(DocumentId::new("d1")).submit().into_next().issue();
//! ```

use std::marker::PhantomData;

use super::{sealed, DocumentState, Moved, PlainStep, Transition};
use crate::ids::DocumentId;
use crate::CoreError;

/// The stored form of an outgoing document's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutgoingState {
    Draft,
    Submitted,
    Signed,
    Issued,
    Sent,
}

impl OutgoingState {
    pub const ALL: &'static [OutgoingState] = &[
        Self::Draft,
        Self::Submitted,
        Self::Signed,
        Self::Issued,
        Self::Sent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Signed => "signed",
            Self::Issued => "issued",
            Self::Sent => "sent",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Draft => "Dự thảo",
            Self::Submitted => "Đã trình ký",
            Self::Signed => "Đã ký",
            Self::Issued => "Đã ban hành",
            Self::Sent => "Đã gửi",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Submitted for signing",
            Self::Signed => "Signed",
            Self::Issued => "Issued",
            Self::Sent => "Sent",
        }
    }

    pub fn parse(s: &str) -> Result<Self, CoreError> {
        Self::ALL
            .iter()
            .copied()
            .find(|st| st.code() == s)
            .ok_or_else(|| CoreError::UnknownState(s.to_owned()))
    }
}

super::typestate!(
    Outgoing,
    OutgoingState,
    Outgoing,
    [Draft, Submitted, Signed, Issued, Sent]
);

// Every outgoing step but issuing is a plain state change.
impl PlainStep for Outgoing<Draft> {}
impl PlainStep for Outgoing<Submitted> {}
impl PlainStep for Outgoing<Signed> {}
impl PlainStep for Outgoing<Sent> {}

impl Outgoing<Draft> {
    /// A new draft (not yet stored: the store writes drafts in state `draft`).
    pub fn new(id: DocumentId) -> Self {
        Self::at(id)
    }

    /// Trình ký: the draft goes to a leader for signature.
    pub fn submit(self) -> Moved<Outgoing<Submitted>> {
        self.to()
    }
}

impl Outgoing<Submitted> {
    /// The leader sends the draft back for changes.
    pub fn return_to_draft(self) -> Moved<Outgoing<Draft>> {
        self.to()
    }

    /// The leader's personal signature is on the document.
    pub fn sign(self) -> Moved<Outgoing<Signed>> {
        self.to()
    }
}

impl Outgoing<Signed> {
    /// The clerk issues: the store takes the number from the register and fixes the issue
    /// date in the same transaction as this transition.
    pub fn issue(self) -> Moved<Outgoing<Issued>> {
        self.to()
    }
}

impl Outgoing<Issued> {
    pub fn send(self) -> Moved<Outgoing<Sent>> {
        self.to()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Outgoing<Draft> {
        Outgoing::new(DocumentId::new("d1"))
    }

    #[test]
    fn full_path() {
        let signed = draft().submit().into_next().sign().into_next();
        let issuing = signed.issue();
        assert_eq!(
            issuing.transition().from(),
            DocumentState::Outgoing(OutgoingState::Signed)
        );
        let issued = issuing.into_next();
        assert_eq!(issued.state(), OutgoingState::Issued);
        let sent = issued.send();
        assert_eq!(sent.transition().action(), "document.sent");
        assert_eq!(sent.into_next().state(), OutgoingState::Sent);
    }

    #[test]
    fn returning_goes_back_to_draft() {
        let back = draft().submit().into_next().return_to_draft();
        assert_eq!(back.transition().to(), OutgoingState::Draft.into());
        assert_eq!(back.transition().action(), "document.draft");
        assert_eq!(back.into_next().state(), OutgoingState::Draft);
    }

    #[test]
    fn restore_checks_the_stored_state() {
        let id = DocumentId::new("d");
        assert!(Outgoing::<Signed>::restore(&id, OutgoingState::Signed.into()).is_ok());
        let err = Outgoing::<Signed>::restore(&id, OutgoingState::Draft.into()).unwrap_err();
        assert_eq!(
            err,
            CoreError::WrongState {
                expected: "signed",
                actual: "draft"
            }
        );
        let incoming = super::super::IncomingState::Registered.into();
        assert!(Outgoing::<Draft>::restore(&id, incoming).is_err());
    }

    #[test]
    fn state_codes_round_trip() {
        for s in OutgoingState::ALL {
            assert_eq!(OutgoingState::parse(s.code()).unwrap(), *s);
        }
    }
}
