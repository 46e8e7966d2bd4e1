//! pyHanko's names for Signet's verdicts, so the suites compare like with like.

use signet_pades::{Coverage, Modifications};

pub fn coverage_name(c: Coverage) -> &'static str {
    match c {
        Coverage::EntireFile => "ENTIRE_FILE",
        Coverage::EntireRevision => "ENTIRE_REVISION",
        Coverage::Partial => "PARTIAL",
    }
}

pub fn modifications_name(m: Modifications) -> &'static str {
    match m {
        Modifications::None => "NONE",
        Modifications::Ltv => "LTA_UPDATES",
        Modifications::FormFilling => "FORM_FILLING",
        Modifications::Annotations => "ANNOTATIONS",
        Modifications::Other => "OTHER",
    }
}
