//! Character classes of PDF syntax (ISO 32000-1 7.2.2) and hexadecimal digits, shared by the
//! lexer, the stream filters and the xref readers.

pub(crate) fn is_delim_or_ws(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    ) || is_ws(b)
}

pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Hex digits up to a `>` (white space skipped, an odd last digit taken as followed by 0, ISO
/// 32000-1 7.3.4.3): the bytes, and the position of the `>` if there is one. `Err` holds the
/// position of a byte that is neither a hex digit nor white space.
pub(crate) fn unhex(data: &[u8]) -> std::result::Result<(Vec<u8>, Option<usize>), usize> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut hi: Option<u8> = None;
    let mut end = None;
    for (i, &b) in data.iter().enumerate() {
        if b == b'>' {
            end = Some(i);
            break;
        }
        if is_ws(b) {
            continue;
        }
        let v = hex_val(b).ok_or(i)?;
        match hi.take() {
            Some(h) => out.push(h << 4 | v),
            None => hi = Some(v),
        }
    }
    if let Some(h) = hi {
        out.push(h << 4);
    }
    Ok((out, end))
}
