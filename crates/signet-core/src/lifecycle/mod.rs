//! Document lifecycles as type-level state machines, and the state changes they produce.
//!
//! [`Outgoing`] (văn bản đi) and [`Incoming`] (văn bản đến) carry their state in their type;
//! each step consumes the value, exists only on the state it starts from, and returns a
//! [`Moved`]: the document in its new state and the [`Transition`] the store writes. A
//! `Transition` has private fields and no public constructor, so the only transitions that
//! exist are the lifecycle's own steps: a write that skips a state cannot be expressed.
//!
//! ```compile_fail
//! use signet_core::lifecycle::{DocumentState, OutgoingState, Transition};
//! use signet_core::ids::DocumentId;
//! // Not outside this crate: the fields are private.
//! let t = Transition {
//!     document: DocumentId::new("d1"),
//!     from: DocumentState::Outgoing(OutgoingState::Draft),
//!     to: DocumentState::Outgoing(OutgoingState::Issued),
//! };
//! ```

pub use incoming::{Incoming, IncomingState};
pub use outgoing::{Draft, Issued, Outgoing, OutgoingState, Sent, Signed, State, Submitted};

use crate::document::Direction;
use crate::ids::DocumentId;
use crate::CoreError;

/// The stored state of a document of either direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentState {
    Outgoing(OutgoingState),
    Incoming(IncomingState),
}

impl DocumentState {
    /// The stored text code (unchanged from the codes written before this type existed).
    pub fn code(self) -> &'static str {
        match self {
            Self::Outgoing(s) => s.code(),
            Self::Incoming(s) => s.code(),
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Outgoing(s) => s.label_vi(),
            Self::Incoming(s) => s.label_vi(),
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Outgoing(s) => s.label_en(),
            Self::Incoming(s) => s.label_en(),
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            Self::Outgoing(_) => Direction::Outgoing,
            Self::Incoming(_) => Direction::Incoming,
        }
    }

    /// A stored code read in the lifecycle of its document's direction.
    pub fn parse(direction: Direction, code: &str) -> Result<Self, CoreError> {
        match direction {
            Direction::Outgoing => OutgoingState::parse(code).map(Self::Outgoing),
            Direction::Incoming => IncomingState::parse(code).map(Self::Incoming),
        }
    }

    pub fn outgoing(self) -> Option<OutgoingState> {
        match self {
            Self::Outgoing(s) => Some(s),
            Self::Incoming(_) => None,
        }
    }

    pub fn incoming(self) -> Option<IncomingState> {
        match self {
            Self::Incoming(s) => Some(s),
            Self::Outgoing(_) => None,
        }
    }
}

impl std::fmt::Display for DocumentState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl From<OutgoingState> for DocumentState {
    fn from(s: OutgoingState) -> Self {
        Self::Outgoing(s)
    }
}

impl From<IncomingState> for DocumentState {
    fn from(s: IncomingState) -> Self {
        Self::Incoming(s)
    }
}

/// One step of a lifecycle, as the store writes it: which document, from which state to
/// which. Only this crate's typestate steps make one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    document: DocumentId,
    from: DocumentState,
    to: DocumentState,
}

impl Transition {
    pub(crate) fn new(document: DocumentId, from: DocumentState, to: DocumentState) -> Self {
        Self { document, from, to }
    }

    pub fn document(&self) -> &DocumentId {
        &self.document
    }

    pub fn from(&self) -> DocumentState {
        self.from
    }

    pub fn to(&self) -> DocumentState {
        self.to
    }

    /// The journal action: `document.<new state>` (e.g. `document.signed`).
    pub fn action(&self) -> String {
        format!("document.{}", self.to.code())
    }
}

/// The result of a step: the document in its new state and the transition to store.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a step is only taken once its transition is stored"]
pub struct Moved<D> {
    next: D,
    transition: Transition,
}

impl<D> Moved<D> {
    pub(crate) fn new(next: D, transition: Transition) -> Self {
        Self { next, transition }
    }

    pub fn transition(&self) -> &Transition {
        &self.transition
    }

    /// The document in its new state (for the next step, or to know where it is).
    pub fn into_next(self) -> D {
        self.next
    }

    pub fn next(&self) -> &D {
        &self.next
    }
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// The parts both typestates share: the sealed state markers, the document type, its step
/// function `to`, and `restore` from a stored state. `$doc<S>` is a document of direction
/// `$variant` known to be in state `S`.
macro_rules! typestate {
    ($doc:ident, $enum:ident, $variant:ident, [$($state:ident),*]) => {
        /// A state marker of the typestate. Sealed: the states are the domain's.
        pub trait State: sealed::Sealed {
            const STATE: $enum;
        }

        $(
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $state;
            impl sealed::Sealed for $state {}
            impl State for $state { const STATE: $enum = $enum::$state; }
        )*

        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $doc<S: State> {
            id: DocumentId,
            _state: PhantomData<S>,
        }

        impl<S: State> sealed::Sealed for $doc<S> {}

        impl<S: State> $doc<S> {
            fn to<T: State>(self) -> Moved<$doc<T>> {
                let transition = Transition::new(
                    self.id.clone(),
                    DocumentState::$variant(S::STATE),
                    DocumentState::$variant(T::STATE),
                );
                Moved::new(
                    $doc {
                        id: self.id,
                        _state: PhantomData,
                    },
                    transition,
                )
            }

            fn at(id: DocumentId) -> Self {
                Self {
                    id,
                    _state: PhantomData,
                }
            }

            pub fn id(&self) -> &DocumentId {
                &self.id
            }

            pub fn state(&self) -> $enum {
                S::STATE
            }

            /// Takes a stored document into state `S`, or says which state it is really in.
            pub fn restore(id: &DocumentId, stored: DocumentState) -> Result<Self, CoreError> {
                if stored == DocumentState::$variant(S::STATE) {
                    Ok(Self::at(id.clone()))
                } else {
                    Err(CoreError::WrongState {
                        expected: S::STATE.code(),
                        actual: stored.code(),
                    })
                }
            }
        }
    };
}
pub(crate) use typestate;

pub mod incoming;
pub mod outgoing;

/// The steps the store writes as a plain state change. Issuing is not one: it also takes a
/// number from the register, so the store writes it in its own transaction (`Store::issue`).
pub trait PlainStep: sealed::Sealed {}

/// What a person may do to a document: the buttons of the document page and the steps of
/// the API (`POST /api/v1/documents/{id}/{step}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Trình ký: a draft goes to a leader.
    Submit,
    /// The leader signs.
    Sign,
    /// The leader sends the draft back.
    Return,
    /// The clerk numbers and issues.
    Issue,
    /// Trình: the clerk puts a registered incoming document before the leader.
    Present,
}

impl Step {
    pub const ALL: &'static [Step] = &[
        Self::Submit,
        Self::Sign,
        Self::Return,
        Self::Issue,
        Self::Present,
    ];

    /// The code in URLs and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Sign => "sign",
            Self::Return => "return",
            Self::Issue => "issue",
            Self::Present => "present",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The state the step starts from.
    pub fn starts_from(self) -> DocumentState {
        match self {
            Self::Submit => OutgoingState::Draft.into(),
            Self::Sign | Self::Return => OutgoingState::Submitted.into(),
            Self::Issue => OutgoingState::Signed.into(),
            Self::Present => IncomingState::Registered.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_their_direction_only() {
        for s in OutgoingState::ALL {
            let st = DocumentState::Outgoing(*s);
            assert_eq!(DocumentState::parse(Direction::Outgoing, st.code()), Ok(st));
            assert!(DocumentState::parse(Direction::Incoming, st.code()).is_err());
        }
        for s in IncomingState::ALL {
            let st = DocumentState::Incoming(*s);
            assert_eq!(DocumentState::parse(Direction::Incoming, st.code()), Ok(st));
            assert!(DocumentState::parse(Direction::Outgoing, st.code()).is_err());
        }
    }

    #[test]
    fn step_codes_round_trip() {
        for s in Step::ALL {
            assert_eq!(Step::parse(s.code()), Some(*s));
        }
        assert_eq!(Step::parse("send"), None);
    }

    #[test]
    fn a_step_records_where_it_came_from() {
        let moved = Outgoing::new(DocumentId::new("d1")).submit();
        let t = moved.transition();
        assert_eq!(t.document(), "d1");
        assert_eq!(t.from(), OutgoingState::Draft.into());
        assert_eq!(t.to(), OutgoingState::Submitted.into());
        assert_eq!(t.action(), "document.submitted");
    }
}
