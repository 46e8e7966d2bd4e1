//! HTTP byte ranges for downloads (RFC 9110 §14): a PDF viewer on a phone, or a download
//! manager resuming a big attachment, asks for part of a file. One range is served as 206
//! with its `Content-Range`; a range outside the file is 416; several ranges, or a header
//! that is not a byte range, get the whole file (a server may always ignore `Range`).

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// No usable range: the whole file (200).
    Whole,
    /// Bytes `start..=end` (206).
    Part { start: u64, end: u64 },
    /// Nothing of the file is in the range (416).
    Unsatisfiable,
}

/// Reads a `Range` header value against a file of `size` bytes.
pub fn wanted(header: Option<&str>, size: u64) -> Wanted {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    match (first.is_empty(), number(first), number(last)) {
        // "-N": the last N bytes.
        (true, _, Some(n)) if n > 0 && size > 0 => Wanted::Part {
            start: size.saturating_sub(n),
            end: size - 1,
        },
        (true, _, _) => Wanted::Unsatisfiable,
        (false, Some(start), _) if start >= size => Wanted::Unsatisfiable,
        (false, Some(start), None) if last.is_empty() => Wanted::Part {
            start,
            end: size - 1,
        },
        (false, Some(start), Some(end)) if end >= start => Wanted::Part {
            start,
            end: end.min(size - 1),
        },
        _ => Wanted::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges() {
        let part = |start, end| Wanted::Part { start, end };
        assert_eq!(wanted(None, 100), Wanted::Whole);
        assert_eq!(wanted(Some("bytes=0-9"), 100), part(0, 9));
        assert_eq!(wanted(Some("bytes=90-"), 100), part(90, 99));
        assert_eq!(wanted(Some("bytes=-10"), 100), part(90, 99));
        assert_eq!(wanted(Some("bytes=-500"), 100), part(0, 99));
        assert_eq!(wanted(Some("bytes=50-5000"), 100), part(50, 99));
        assert_eq!(wanted(Some("bytes=100-"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=-0"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=0-0"), 0), Wanted::Unsatisfiable);
        for ignored in [
            "bytes=0-1,5-6",
            "items=0-9",
            "bytes=9-1",
            "bytes=a-b",
            "bytes=",
            "bytes=+1-2",
        ] {
            assert_eq!(wanted(Some(ignored), 100), Wanted::Whole, "{ignored}");
        }
    }
}
