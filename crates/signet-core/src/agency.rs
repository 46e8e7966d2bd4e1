//! Agency identifier codes (mã định danh), QCVN 102:2016 and Quyết định 20/2020/QĐ-TTg.
//!
//! Since 2022 an identifier is an opaque string of up to 35 characters of digits, capital
//! letters and dots; test hubs use forms such as `vxp.saas.03` upper-cased. The legacy
//! 13-character four-level form `NNN.NN.NN.XNN` is still what most agencies carry, and from it
//! the parent agency can be derived, so it has a parser of its own — but it is never required.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// A validated agency identifier code: `^[0-9A-Z.]{1,35}$`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode(String);

impl AgencyCode {
    pub const MAX_LEN: usize = 35;

    pub fn parse(s: &str) -> Result<Self, CoreError> {
        let valid = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'.');
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(CoreError::InvalidAgencyCode(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The legacy four-level reading of this code, when it has that form.
    pub fn legacy(&self) -> Option<LegacyAgencyCode> {
        LegacyAgencyCode::parse(&self.0).ok()
    }
}

impl TryFrom<String> for AgencyCode {
    type Error = CoreError;
    fn try_from(s: String) -> Result<Self, CoreError> {
        Self::parse(&s)
    }
}

impl From<AgencyCode> for String {
    fn from(c: AgencyCode) -> String {
        c.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The legacy four-level code `NNN.NN.NN.XNN`, read right to left: `XNN` is the level-1 body
/// (a group letter and two digits, e.g. `H41` a province), then level 2, 3 and 4. Unused lower
/// levels are zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LegacyAgencyCode {
    /// Level 1: group letter (e.g. `H` province, `G` central government) and number.
    pub group: char,
    pub level1: u8,
    pub level2: u8,
    pub level3: u8,
    pub level4: u16,
}

impl LegacyAgencyCode {
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        let err = || CoreError::NotLegacyAgencyCode(s.to_owned());
        let parts: Vec<&str> = s.split('.').collect();
        let [l4, l3, l2, l1] = parts.as_slice() else {
            return Err(err());
        };
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        if !(digits(l4, 3) && digits(l3, 2) && digits(l2, 2) && l1.len() == 3) {
            return Err(err());
        }
        let mut l1_chars = l1.chars();
        let group = l1_chars
            .next()
            .filter(char::is_ascii_uppercase)
            .ok_or_else(err)?;
        let l1_num = l1_chars.as_str();
        if !digits(l1_num, 2) {
            return Err(err());
        }
        let num = |p: &str| p.parse().map_err(|_| err());
        Ok(Self {
            group,
            level1: num(l1_num)?,
            level2: num(l2)?,
            level3: num(l3)?,
            level4: l4.parse().map_err(|_| err())?,
        })
    }

    /// The level of this agency: 1 for a province or ministry, down to 4.
    pub fn level(&self) -> u8 {
        match (self.level2, self.level3, self.level4) {
            (0, 0, 0) => 1,
            (_, 0, 0) => 2,
            (_, _, 0) => 3,
            _ => 4,
        }
    }

    /// The agency one level up, by zeroing the lowest used level; `None` at level 1.
    pub fn parent(&self) -> Option<Self> {
        let mut p = *self;
        match self.level() {
            1 => return None,
            2 => p.level2 = 0,
            3 => p.level3 = 0,
            _ => p.level4 = 0,
        }
        Some(p)
    }

    pub fn code(&self) -> AgencyCode {
        AgencyCode(self.to_string())
    }
}

impl fmt::Display for LegacyAgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:03}.{:02}.{:02}.{}{:02}",
            self.level4, self.level3, self.level2, self.group, self.level1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_modern_and_legacy_forms() {
        for ok in [
            "000.00.00.H99",
            "H37.DN.001",
            "VXP.SAAS.03",
            "A",
            &"9".repeat(35),
        ] {
            assert!(AgencyCode::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_bad_codes() {
        for bad in [
            "",
            "000.00.00.h99",
            "000 00",
            &"9".repeat(36),
            "ĐĐ.01",
            "A-B",
        ] {
            assert!(AgencyCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn legacy_levels_and_parents() {
        let commune = LegacyAgencyCode::parse("001.01.14.H99").unwrap();
        assert_eq!(commune.level(), 4);
        let district = commune.parent().unwrap();
        assert_eq!(district.to_string(), "000.01.14.H99");
        assert_eq!(district.level(), 3);
        let dept = district.parent().unwrap();
        assert_eq!(dept.to_string(), "000.00.14.H99");
        let province = dept.parent().unwrap();
        assert_eq!(province.to_string(), "000.00.00.H99");
        assert_eq!(province.parent(), None);
    }

    #[test]
    fn legacy_rejects_other_shapes() {
        for bad in [
            "000.00.00.H9",
            "00.00.00.H99",
            "000.00.00.999",
            "000.0A.00.H99",
            "H37.DN.001",
        ] {
            assert!(LegacyAgencyCode::parse(bad).is_err(), "{bad}");
        }
    }
}
