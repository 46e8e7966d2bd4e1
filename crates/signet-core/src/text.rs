//! Text normalisation for search: lower case, Vietnamese diacritics folded, đ → d, so that
//! "ky so" finds "Ký số". Both databases index the folded text, so both search alike.

/// Folds one character to its base lower-case ASCII letter where it is a Vietnamese letter.
fn fold_char(c: char) -> Option<char> {
    const GROUPS: &[(&str, char)] = &[
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    GROUPS
        .iter()
        .find(|(set, _)| set.contains(c))
        .map(|&(_, base)| base)
}

/// Combining diacritical marks, present when the input came decomposed (NFD).
fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Lower-cases, folds Vietnamese diacritics and collapses runs of whitespace to one space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        out.push(fold_char(c).unwrap_or(c));
        last_space = false;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The words a text is found by: folded, split at anything that is not a letter or a digit,
/// each kept once, in order of first appearance. "Số 12/QĐ-UBND về ký số" gives
/// `so`, `12`, `qd`, `ubnd`, `ve`, `ky`.
pub fn terms(s: &str) -> Vec<String> {
    /// Longer words are cut: nothing real is longer, and the index stays bounded.
    const MAX_LEN: usize = 64;
    const MAX_TERMS: usize = 256;
    let folded = fold(s);
    let mut out: Vec<String> = Vec::new();
    for word in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word: String = word.chars().take(MAX_LEN).collect();
        if !out.contains(&word) {
            out.push(word);
            if out.len() == MAX_TERMS {
                break;
            }
        }
    }
    out
}

/// Removes Vietnamese diacritics but keeps case and spacing: an ASCII stand-in for places
/// that cannot carry UTF-8, such as the fallback file name of a download.
pub fn strip_diacritics(s: &str) -> String {
    s.chars()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| {
            let lower = c.to_lowercase().next().unwrap_or(c);
            match fold_char(lower) {
                Some(base) if c.is_uppercase() => base.to_ascii_uppercase(),
                Some(base) => base,
                None => c,
            }
        })
        .collect()
}

/// A download's file name stem that says what the file is, in plain ASCII: letters and
/// digits kept (diacritics removed), every other run of characters one hyphen.
/// "Nguyễn Văn Hùng" gives "Nguyen-Van-Hung", "12/QĐ-UBND" gives "12-QD-UBND";
/// `fallback` when nothing is left.
pub fn file_stem(s: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in strip_diacritics(s).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{file_stem, fold, strip_diacritics};

    #[test]
    fn file_stems_say_what_the_file_is() {
        assert_eq!(file_stem("Nguyễn Văn Hùng", "x"), "Nguyen-Van-Hung");
        assert_eq!(file_stem("12/QĐ-UBND", "x"), "12-QD-UBND");
        assert_eq!(file_stem(" Đỗ  Thị   Mai. ", "x"), "Do-Thi-Mai");
        assert_eq!(file_stem("/.. \\ ", "abc123"), "abc123");
    }

    #[test]
    fn terms_are_folded_words() {
        assert_eq!(
            super::terms("Số 12/QĐ-UBND về ký số"),
            ["so", "12", "qd", "ubnd", "ve", "ky"]
        );
        assert!(super::terms("% -- /").is_empty());
    }

    #[test]
    fn strips_keeping_case() {
        assert_eq!(strip_diacritics("Tờ trình Số 1.pdf"), "To trinh So 1.pdf");
        assert_eq!(strip_diacritics("ĐỒNG Tháp"), "DONG Thap");
    }

    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Ký số"), "ky so");
        assert_eq!(fold("ĐỒNG   Tháp\n"), "dong thap");
        assert_eq!(
            fold("Quyết định về việc phê duyệt"),
            "quyet dinh ve viec phe duyet"
        );
        // Decomposed input (NFD) folds the same way.
        assert_eq!(fold("Ky\u{301} so\u{302}\u{301}"), "ky so");
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn folded_vietnamese_is_ascii(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐ ]{0,40}") {
            prop_assert!(fold(&s).is_ascii());
        }
    }
}
