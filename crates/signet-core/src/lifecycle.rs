//! The outgoing document lifecycle as a type-level state machine.
//!
//! `Outgoing<Draft>` → submit (trình ký) → `Outgoing<Submitted>` → sign → `Outgoing<Signed>`
//! → issue (numbered from the register, sealed) → `Outgoing<Issued>` → send → `Outgoing<Sent>`.
//! Each step consumes the value and is only defined on the state it starts from, so "issue
//! before signing" or "send before issuing" does not compile. Documents loaded from storage
//! enter the typed world through [`Outgoing::restore`], which checks the stored state.
//!
//! ```compile_fail
//! use signet_core::lifecycle::Outgoing;
//! // A draft cannot be sent: `send` exists only on `Outgoing<Issued>`.
//! Outgoing::new("d1").send();
//! ```
//!
//! ```compile_fail
//! use signet_core::lifecycle::Outgoing;
//! // Nor issued before it is signed.
//! Outgoing::new("d1").submit().issue(unreachable!());
//! ```

use std::marker::PhantomData;

use crate::register::Notation;
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

mod sealed {
    pub trait Sealed {}
}

/// A state marker of the typestate. Sealed: the states are the domain's, not the caller's.
pub trait State: sealed::Sealed {
    const STATE: OutgoingState;
}

macro_rules! states {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name;
        impl sealed::Sealed for $name {}
        impl State for $name { const STATE: OutgoingState = OutgoingState::$name; }
    )*};
}
states!(Draft, Submitted, Signed, Issued, Sent);

/// An outgoing document known to be in state `S`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing<S: State> {
    pub id: String,
    _state: PhantomData<S>,
}

/// What issuing writes: the number and notation, and the issue date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuance {
    pub notation: Notation,
    pub issued_on: time::Date,
}

impl<S: State> Outgoing<S> {
    fn to<T: State>(self) -> Outgoing<T> {
        Outgoing {
            id: self.id,
            _state: PhantomData,
        }
    }

    pub fn state(&self) -> OutgoingState {
        S::STATE
    }

    /// Takes a stored document into state `S`, or says which state it is really in.
    pub fn restore(id: &str, stored: OutgoingState) -> Result<Self, CoreError> {
        if stored == S::STATE {
            Ok(Self {
                id: id.to_owned(),
                _state: PhantomData,
            })
        } else {
            Err(CoreError::WrongState {
                expected: S::STATE.code(),
                actual: stored.code(),
            })
        }
    }
}

impl Outgoing<Draft> {
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            _state: PhantomData,
        }
    }

    /// Trình ký: the draft goes to a leader for signature.
    pub fn submit(self) -> Outgoing<Submitted> {
        self.to()
    }
}

impl Outgoing<Submitted> {
    /// The leader sends the draft back for changes.
    pub fn return_to_draft(self) -> Outgoing<Draft> {
        self.to()
    }

    /// The leader's personal signature is on the document.
    pub fn sign(self) -> Outgoing<Signed> {
        self.to()
    }
}

impl Outgoing<Signed> {
    /// The clerk issues: the number from the register and the issue date are fixed.
    pub fn issue(self, issuance: Issuance) -> (Outgoing<Issued>, Issuance) {
        (self.to(), issuance)
    }
}

impl Outgoing<Issued> {
    pub fn send(self) -> Outgoing<Sent> {
        self.to()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::DocumentType;
    use crate::register::Abbreviation;

    #[test]
    fn full_path() {
        let signed = Outgoing::new("d1").submit().sign();
        let notation = Notation::build(
            1,
            DocumentType::QuyetDinh,
            &Abbreviation::parse("UBND").unwrap(),
            None,
        )
        .unwrap();
        let date = time::macros::date!(2026 - 01 - 02);
        let (issued, issuance) = signed.issue(Issuance {
            notation,
            issued_on: date,
        });
        assert_eq!(issued.state(), OutgoingState::Issued);
        assert_eq!(issuance.notation.to_string(), "1/QĐ-UBND");
        assert_eq!(issued.send().state(), OutgoingState::Sent);
    }

    #[test]
    fn restore_checks_the_stored_state() {
        assert!(Outgoing::<Signed>::restore("d", OutgoingState::Signed).is_ok());
        let err = Outgoing::<Signed>::restore("d", OutgoingState::Draft).unwrap_err();
        assert_eq!(
            err,
            CoreError::WrongState {
                expected: "signed",
                actual: "draft"
            }
        );
    }

    #[test]
    fn state_codes_round_trip() {
        for s in OutgoingState::ALL {
            assert_eq!(OutgoingState::parse(s.code()).unwrap(), *s);
        }
    }
}
