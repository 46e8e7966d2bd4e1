//! Where things are in the file: what a verifier needs to check a ByteRange against the
//! bytes (the gap must be exactly the `/Contents` string, a range must end a revision).

use crate::document::{Document, XrefEntry};
use crate::lexer::{Lexer, Token};
use crate::object::ObjRef;
use crate::parser;
use crate::{PdfError, Result};

impl Document {
    /// The revision that ends exactly at `end` (e.g. a ByteRange's `c + d`).
    pub fn revision_ending_at(&self, end: usize) -> Option<usize> {
        self.revisions().iter().position(|r| r.end == end)
    }

    /// The byte span `[start, end)` of the value of `key` in the dictionary of object `r` as
    /// of revision `rev`, e.g. `/Contents` of a signature dictionary: for a hex string it
    /// runs from `<` to just after `>`. `None` when the key is absent or the object is not
    /// stored directly in the file (objects in object streams have no file span).
    pub fn value_span_at(
        &self,
        rev: usize,
        r: ObjRef,
        key: &[u8],
    ) -> Result<Option<(usize, usize)>> {
        let Some((_, XrefEntry::InUse { offset, gen })) = self.lookup(rev, r.num) else {
            return Ok(None);
        };
        if gen != r.gen {
            return Ok(None);
        }
        let at = usize::try_from(offset)
            .map_err(|_| PdfError::Structure("offset out of range".into()))?;
        let data = self.bytes();
        let (id, after) = parser::object_header(data, at)?;
        if id != r {
            return Err(PdfError::Structure(format!(
                "xref entry for {r} points to {id}"
            )));
        }
        let mut lx = Lexer::new(data, after);
        if lx.next_token()? != Some(Token::DictOpen) {
            return Ok(None);
        }
        loop {
            let pos = lx.pos();
            match lx.next_token()? {
                Some(Token::DictClose) | None => return Ok(None),
                Some(Token::Name(k)) => {
                    lx.skip_ws();
                    let start = lx.pos();
                    parser::parse_object(&mut lx, 1)?;
                    if k == key {
                        return Ok(Some((start, lx.pos())));
                    }
                }
                Some(_) => return Err(PdfError::syntax(pos, "dictionary key is not a name")),
            }
        }
    }
}
