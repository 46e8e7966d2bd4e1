//! Stream filters: FlateDecode (with PNG and TIFF predictors, needed for xref streams) and
//! ASCIIHexDecode. Anything else is reported, not guessed.

use crate::chars::unhex;
use crate::object::{Dictionary, Object, Stream};
use crate::{PdfError, Result};
use std::io::Read;

/// Decoded streams larger than this are refused (a small file can inflate enormously).
pub const DEFAULT_DECODE_LIMIT: usize = 256 * 1024 * 1024;

/// Decoding lives with the filters, so that the object model does not depend on them.
impl Stream {
    /// The data with all `/Filter`s undone (FlateDecode with PNG/TIFF predictors,
    /// ASCIIHexDecode); an error names any other filter.
    pub fn decoded(&self) -> Result<Vec<u8>> {
        self.decoded_limited(DEFAULT_DECODE_LIMIT)
    }
    /// Like [`Stream::decoded`] with an explicit cap on the decoded size.
    pub fn decoded_limited(&self, limit: usize) -> Result<Vec<u8>> {
        decode(&self.dict, &self.data, limit)
    }
}

pub fn decode(dict: &Dictionary, data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let filters = names_of(dict.get(b"Filter"));
    let parms = parms_of(
        dict.get(b"DecodeParms").or_else(|| dict.get(b"DP")),
        filters.len(),
    );
    let mut cur = data.to_vec();
    for (i, f) in filters.iter().enumerate() {
        cur = match f.as_slice() {
            b"FlateDecode" | b"Fl" => {
                let raw = inflate(&cur, limit)?;
                predict(raw, parms.get(i).and_then(|p| p.as_ref()))?
            }
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(&cur)?,
            other => {
                return Err(PdfError::UnsupportedFilter(
                    String::from_utf8_lossy(other).into_owned(),
                ))
            }
        };
    }
    Ok(cur)
}

fn names_of(o: Option<&Object>) -> Vec<Vec<u8>> {
    match o {
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    }
}

fn parms_of(o: Option<&Object>, n: usize) -> Vec<Option<Dictionary>> {
    match o {
        Some(Object::Dictionary(d)) => vec![Some(d.clone())],
        Some(Object::Array(a)) => a.iter().map(|o| o.as_dict().cloned()).collect(),
        _ => vec![None; n],
    }
}

fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut dec = flate2::read::ZlibDecoder::new(data).take(limit as u64 + 1);
    match dec.read_to_end(&mut out) {
        Ok(_) => {}
        // Many producers write truncated or checksum-less zlib data; keep what inflated,
        // as other readers do, but refuse a stream that yields nothing.
        Err(e) if out.is_empty() => return Err(PdfError::Decode(format!("flate: {e}"))),
        Err(_) => {}
    }
    if out.len() > limit {
        return Err(PdfError::Limit(format!(
            "decoded stream larger than {limit} bytes"
        )));
    }
    Ok(out)
}

fn ascii_hex(data: &[u8]) -> Result<Vec<u8>> {
    // The `>` (EOD) is optional here.
    unhex(data)
        .map(|(out, _)| out)
        .map_err(|_| PdfError::Decode("bad ASCIIHex digit".into()))
}

fn int_param(p: &Dictionary, key: &[u8], default: i64) -> i64 {
    p.get(key).and_then(Object::as_i64).unwrap_or(default)
}

fn predict(data: Vec<u8>, parms: Option<&Dictionary>) -> Result<Vec<u8>> {
    let Some(p) = parms else { return Ok(data) };
    let predictor = int_param(p, b"Predictor", 1);
    if predictor <= 1 {
        return Ok(data);
    }
    let colors = int_param(p, b"Colors", 1);
    let bpc = int_param(p, b"BitsPerComponent", 8);
    let columns = int_param(p, b"Columns", 1);
    if !(1..=32).contains(&colors)
        || ![1, 2, 4, 8, 16].contains(&bpc)
        || !(1..=1 << 20).contains(&columns)
    {
        return Err(PdfError::Decode("bad predictor parameters".into()));
    }
    let bpp = ((colors * bpc + 7) / 8) as usize;
    let row = ((colors * bpc * columns + 7) / 8) as usize;
    if predictor == 2 {
        return tiff(data, bpc, bpp, row);
    }
    png(&data, bpp, row)
}

fn tiff(mut data: Vec<u8>, bpc: i64, bpp: usize, row: usize) -> Result<Vec<u8>> {
    if bpc != 8 {
        return Err(PdfError::UnsupportedFilter(
            "TIFF predictor with BitsPerComponent != 8".into(),
        ));
    }
    for line in data.chunks_mut(row) {
        for i in bpp..line.len() {
            line[i] = line[i].wrapping_add(line[i - bpp]);
        }
    }
    Ok(data)
}

fn png(data: &[u8], bpp: usize, row: usize) -> Result<Vec<u8>> {
    // A row longer than the data means a single partial row: do not allocate beyond it.
    let row = row.min(data.len().max(1));
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        let (kind, src) = match chunk.split_first() {
            Some((k, s)) => (*k, s),
            None => break,
        };
        let mut cur = vec![0u8; row];
        for i in 0..src.len().min(row) {
            let a = if i >= bpp { cur[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            let x = src[i];
            cur[i] = match kind {
                0 => x,
                1 => x.wrapping_add(a),
                2 => x.wrapping_add(b),
                3 => x.wrapping_add(((a as u16 + b as u16) / 2) as u8),
                4 => x.wrapping_add(paeth(a, b, c)),
                _ => return Err(PdfError::Decode(format!("bad PNG predictor tag {kind}"))),
            };
        }
        out.extend_from_slice(&cur[..src.len().min(row)]);
        prev = cur;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = (
        (p - a as i16).abs(),
        (p - b as i16).abs(),
        (p - c as i16).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
