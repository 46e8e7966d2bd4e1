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

/// Word prefixes of these lengths are indexed too, as `<prefix>*` (a `*` is never part of a
/// word), so that a search still being typed ("quyet di") can be driven by the index.
const PREFIX_LENGTHS: std::ops::RangeInclusive<usize> = 2..=3;

/// The keys a text is indexed under: its [`terms`], then the `<prefix>*` keys of their
/// prefixes of 2 and 3 characters, each key once.
pub fn index_keys(s: &str) -> Vec<String> {
    let words = terms(s);
    let mut keys = words.clone();
    for word in &words {
        for len in PREFIX_LENGTHS {
            if let Some(key) = prefix_key(word, len) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    keys
}

/// `<the first len characters>*`, when the word has that many.
fn prefix_key(word: &str, len: usize) -> Option<String> {
    let mut chars = word.char_indices();
    let end = match chars.nth(len) {
        Some((i, _)) => i,
        None if word.chars().count() == len => word.len(),
        None => return None,
    };
    Some(format!("{}*", &word[..end]))
}

/// The words of a text as one line with a space before and after each word
/// (" so 12 qd ubnd "), so that "starts a word" is `LIKE '% pre%'` on either database.
pub fn words_line(s: &str) -> String {
    let mut line = String::from(" ");
    for word in terms(s) {
        line.push_str(&word);
        line.push(' ');
    }
    line
}

/// One word of a search, as the index is asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// The index key that must be present: the word, or a `<prefix>*` key.
    pub key: String,
    /// For a prefix longer than the indexed ones: the prefix, which must also start a word of
    /// the [`words_line`].
    pub starts_word: Option<String>,
}

impl QueryWord {
    pub fn is_exact(&self) -> bool {
        !self.key.ends_with('*')
    }
}

/// Reads a search as a clerk types it: every word must be found, in any order; the last word
/// is a prefix unless the search ends with a space or punctuation ("quyet dinh 12" finds
/// "Quyết định số 12/QĐ-UBND" and "… số 125"). A one-character last word is matched whole.
/// At most 8 words are kept.
pub fn query_words(q: &str) -> Vec<QueryWord> {
    const MAX_WORDS: usize = 8;
    let folded = fold(q);
    let open_end = q
        .chars()
        .rev()
        .find(|c| !is_combining_mark(*c))
        .is_some_and(char::is_alphanumeric);
    let words: Vec<String> = terms(&folded).into_iter().take(MAX_WORDS).collect();
    let last = words.len().saturating_sub(1);
    words
        .into_iter()
        .enumerate()
        .map(|(i, word)| {
            let len = word.chars().count();
            if i != last || !open_end || len < *PREFIX_LENGTHS.start() {
                QueryWord {
                    key: word,
                    starts_word: None,
                }
            } else if len <= *PREFIX_LENGTHS.end() {
                QueryWord {
                    key: format!("{word}*"),
                    starts_word: None,
                }
            } else {
                let key = prefix_key(&word, *PREFIX_LENGTHS.end()).unwrap_or_default();
                QueryWord {
                    key,
                    starts_word: Some(word),
                }
            }
        })
        .collect()
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
    fn index_keys_add_short_prefixes() {
        assert_eq!(
            super::index_keys("Quyết định số 12"),
            ["quyet", "dinh", "so", "12", "qu*", "quy*", "di*", "din*", "so*", "12*"]
        );
        assert_eq!(super::words_line("Số 12/QĐ"), " so 12 qd ");
        assert_eq!(super::words_line(""), " ");
    }

    #[test]
    fn the_last_word_of_a_search_is_a_prefix() {
        let keys = |q: &str| -> Vec<(String, Option<String>)> {
            super::query_words(q)
                .into_iter()
                .map(|w| (w.key, w.starts_word))
                .collect()
        };
        assert_eq!(
            keys("Quyết định 12"),
            [
                ("quyet".into(), None),
                ("dinh".into(), None),
                ("12*".into(), None)
            ]
        );
        assert_eq!(keys("ky so "), [("ky".into(), None), ("so".into(), None)]);
        assert_eq!(keys("quyết"), [("quy*".into(), Some("quyet".into()))]);
        assert_eq!(keys("ubnd q"), [("ubnd".into(), None), ("q".into(), None)]);
        assert!(keys(" %% ").is_empty());
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
        fn a_prefix_of_any_word_finds_its_text(s in "\\PC{0,40}", pick in 0usize..64, cut in 2usize..8) {
            let words = super::terms(&s);
            prop_assume!(!words.is_empty());
            let word = &words[pick % words.len()];
            let typed: String = word.chars().take(cut).collect();
            let keys = super::index_keys(&s);
            let line = super::words_line(&s);
            for q in super::query_words(&typed) {
                let whole_word = q.is_exact() && words.contains(&q.key);
                prop_assert!(whole_word || keys.contains(&q.key), "{:?} not in {:?}", q, keys);
                if let Some(p) = q.starts_word {
                    let needle = format!(" {}", p);
                    prop_assert!(line.contains(&needle));
                }
            }
        }

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
