//! Object streams (`/Type /ObjStm`): the decoded data and its (number, offset) table.

use crate::lexer::{Lexer, Token};
use crate::object::Object;
use crate::{PdfError, Result};

/// Most objects one object stream may declare.
const MAX_OBJSTM_N: usize = 1_000_000;

/// A decoded object stream: its data and the (number, offset) table.
#[derive(Debug)]
pub struct ObjStm {
    pub data: Vec<u8>,
    pub first: usize,
    pub table: Vec<(u32, usize)>,
}

pub fn decode(obj: &Object, file_len: usize) -> Result<ObjStm> {
    let Object::Stream(s) = obj else {
        return Err(PdfError::Structure("object stream is not a stream".into()));
    };
    let n = s
        .dict
        .get(b"N")
        .and_then(Object::as_i64)
        .and_then(|n| usize::try_from(n).ok());
    let first = s
        .dict
        .get(b"First")
        .and_then(Object::as_i64)
        .and_then(|n| usize::try_from(n).ok());
    let (Some(n), Some(first)) = (n, first) else {
        return Err(PdfError::Structure(
            "object stream without /N or /First".into(),
        ));
    };
    if n > MAX_OBJSTM_N {
        return Err(PdfError::Limit(format!(
            "object stream declares {n} objects"
        )));
    }
    let data = s.decoded_limited(
        file_len
            .saturating_mul(64)
            .clamp(1 << 20, crate::filters::DEFAULT_DECODE_LIMIT),
    )?;
    let mut lx = Lexer::new(&data, 0);
    let mut table = Vec::with_capacity(n.min(data.len() / 4 + 1));
    for _ in 0..n {
        let (Ok(Some(Token::Integer(num))), Ok(Some(Token::Integer(off)))) =
            (lx.next_token(), lx.next_token())
        else {
            break;
        };
        if let (Ok(num), Ok(off)) = (u32::try_from(num), usize::try_from(off)) {
            table.push((num, off));
        }
    }
    Ok(ObjStm { first, table, data })
}
