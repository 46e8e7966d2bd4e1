//! The incoming document lifecycle (văn bản đến), after Nghị định 30/2020 Điều 20–24.
//!
//! The clerk registers (đăng ký) what arrives → `Incoming<Registered>`; presents it (trình) to
//! the leader → `Incoming<Presented>`; the leader assigns it (phân công, cho ý kiến phân phối)
//! to the unit or person in charge → `Incoming<Assigned>`; they take it up → `Incoming<Processing>`
//! and settle it (giải quyết) → `Incoming<Done>`. A document that was sent to the wrong agency
//! or is not in due form goes back to its sender from registration → `Incoming<Returned>`.
//!
//! ```compile_fail
//! use signet_core::ids::DocumentId;
//! use signet_core::lifecycle::Incoming;
//! // Not assigned before the leader has it: `assign` exists only on `Incoming<Presented>`.
//! Incoming::registered(DocumentId::new("d1")).assign();
//! ```
//!
//! ```compile_fail
//! use signet_core::ids::DocumentId;
//! use signet_core::lifecycle::Incoming;
//! // Nor settled before anyone processes it.
//! Incoming::registered(DocumentId::new("d1")).present().into_next().assign().into_next().complete();
//! ```

use std::marker::PhantomData;

use super::{sealed, DocumentState, Moved, PlainStep, Transition};
use crate::ids::DocumentId;
use crate::CoreError;

/// The stored form of an incoming document's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncomingState {
    Registered,
    Presented,
    Assigned,
    Processing,
    Done,
    Returned,
}

impl IncomingState {
    pub const ALL: &'static [IncomingState] = &[
        Self::Registered,
        Self::Presented,
        Self::Assigned,
        Self::Processing,
        Self::Done,
        Self::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Presented => "presented",
            Self::Assigned => "assigned",
            Self::Processing => "processing",
            Self::Done => "done",
            Self::Returned => "returned",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Registered => "Đã vào sổ",
            Self::Presented => "Đã trình",
            Self::Assigned => "Đã phân công",
            Self::Processing => "Đang giải quyết",
            Self::Done => "Đã giải quyết",
            Self::Returned => "Đã trả lại",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Registered => "Registered",
            Self::Presented => "Presented to the leader",
            Self::Assigned => "Assigned",
            Self::Processing => "Being processed",
            Self::Done => "Done",
            Self::Returned => "Returned to the sender",
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
    Incoming,
    IncomingState,
    Incoming,
    [Registered, Presented, Assigned, Processing, Done, Returned]
);
// No incoming step takes a number (the số đến is taken at registration), so all are plain.
impl<S: State> PlainStep for Incoming<S> {}

impl Incoming<Registered> {
    /// A newly registered document (the store writes registrations in state `registered`).
    pub fn registered(id: DocumentId) -> Self {
        Self::at(id)
    }

    /// Trình: the clerk puts the document before the leader.
    pub fn present(self) -> Moved<Incoming<Presented>> {
        self.to()
    }

    /// Sent to the wrong agency, or not in due form: back to the sender.
    pub fn return_to_sender(self) -> Moved<Incoming<Returned>> {
        self.to()
    }
}

impl Incoming<Presented> {
    /// The leader names who handles it (cho ý kiến phân phối, chỉ đạo giải quyết).
    pub fn assign(self) -> Moved<Incoming<Assigned>> {
        self.to()
    }
}

impl Incoming<Assigned> {
    /// The unit or person in charge takes it up.
    pub fn start(self) -> Moved<Incoming<Processing>> {
        self.to()
    }
}

impl Incoming<Processing> {
    /// Settled (giải quyết xong).
    pub fn complete(self) -> Moved<Incoming<Done>> {
        self.to()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registered() -> Incoming<Registered> {
        Incoming::registered(DocumentId::new("d1"))
    }

    #[test]
    fn full_path() {
        let presented = registered().present();
        assert_eq!(presented.transition().action(), "document.presented");
        let assigned = presented.into_next().assign();
        assert_eq!(
            assigned.transition().from(),
            DocumentState::Incoming(IncomingState::Presented)
        );
        let processing = assigned.into_next().start().into_next();
        let done = processing.complete();
        assert_eq!(done.transition().to(), IncomingState::Done.into());
        assert_eq!(done.into_next().state(), IncomingState::Done);
    }

    #[test]
    fn returning_to_the_sender_ends_the_path() {
        let back = registered().return_to_sender();
        assert_eq!(back.transition().from(), IncomingState::Registered.into());
        assert_eq!(back.into_next().state(), IncomingState::Returned);
    }

    #[test]
    fn restore_checks_the_stored_state() {
        let id = DocumentId::new("d");
        assert!(Incoming::<Assigned>::restore(&id, IncomingState::Assigned.into()).is_ok());
        assert_eq!(
            Incoming::<Assigned>::restore(&id, IncomingState::Registered.into()),
            Err(CoreError::WrongState {
                expected: "assigned",
                actual: "registered"
            })
        );
        let outgoing = super::super::OutgoingState::Draft.into();
        assert!(Incoming::<Registered>::restore(&id, outgoing).is_err());
    }

    #[test]
    fn state_codes_round_trip_and_registered_is_unchanged() {
        for s in IncomingState::ALL {
            assert_eq!(IncomingState::parse(s.code()).unwrap(), *s);
        }
        // Stored since the first release: must never change.
        assert_eq!(IncomingState::Registered.code(), "registered");
    }
}
