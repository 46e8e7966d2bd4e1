//! Filling text fields (`/FT /Tx`) in an update: the value (`/V`) and a new appearance of each
//! widget, nothing else — the change a diff policy (Signet's, pyHanko's) classifies as form
//! filling, so signatures made before stay valid. Used at issuance to write the number,
//! notation and issue date a draft carries as placeholders, in the seal's own revision.

use crate::object::{Dictionary, ObjRef, Object, Stream};
use crate::writer::Update;
use crate::{PdfError, Result};

/// Font size of a filled value, in points.
const FONT_SIZE: f64 = 11.0;

/// The text fields of the update's document, by name: (field object, widget objects).
fn text_fields(up: &Update<'_>) -> Result<Vec<(String, ObjRef, Vec<ObjRef>)>> {
    let doc = up.document();
    Ok(doc
        .terminal_fields()?
        .into_iter()
        .filter(|(_, ft)| ft.as_deref() == Some(b"Tx"))
        .filter_map(|(f, _)| {
            let field = f.field?;
            let widgets = f.widgets.iter().filter_map(|w| w.obj).collect();
            Some((f.name, field, widgets))
        })
        .collect())
}

/// Sets each named text field's value and draws it in its widgets. A name that is not a text
/// field of the document is an error (the draft lacks the placeholder); returns how many
/// fields were filled.
pub fn fill_text_fields_in(up: &mut Update<'_>, values: &[(String, String)]) -> Result<usize> {
    if values.is_empty() {
        return Ok(0);
    }
    let fields = text_fields(up)?;
    let font = up.allocate();
    let mut font_dict = Dictionary::new();
    font_dict.set(b"Type", Object::name("Font"));
    font_dict.set(b"Subtype", Object::name("Type1"));
    font_dict.set(b"BaseFont", Object::name("Helvetica"));
    font_dict.set(b"Encoding", Object::name("WinAnsiEncoding"));
    up.put(font, &Object::Dictionary(font_dict));
    for (name, value) in values {
        let (_, field, widgets) = fields
            .iter()
            .find(|(n, _, _)| n == name)
            .ok_or_else(|| PdfError::Structure(format!("the document has no text field {name}")))?;
        let mut dict = dict_of(up, *field)?;
        dict.set(b"V", Object::String(crate::encode_text(value)));
        up.put(*field, &Object::Dictionary(dict));
        for w in widgets {
            let mut wd = dict_of(up, *w)?;
            let rect = wd
                .get(b"Rect")
                .and_then(crate::fields::rect_of)
                .unwrap_or([0.0; 4]);
            let ap = up.allocate();
            up.put(ap, &Object::Stream(appearance(rect, value, font)));
            let mut aps = Dictionary::new();
            aps.set(b"N", Object::Reference(ap));
            wd.set(b"AP", Object::Dictionary(aps));
            up.put(*w, &Object::Dictionary(wd));
        }
    }
    Ok(values.len())
}

fn dict_of(up: &Update<'_>, r: ObjRef) -> Result<Dictionary> {
    up.get(r)?
        .and_then(|o| o.as_dict().cloned())
        .ok_or_else(|| PdfError::Structure(format!("field object {r} is not a dictionary")))
}

/// A form XObject showing `value` left-aligned and vertically centred in `rect`.
fn appearance(rect: [f64; 4], value: &str, font: ObjRef) -> Stream {
    let (w, h) = ((rect[2] - rect[0]).abs(), (rect[3] - rect[1]).abs());
    let baseline = ((h - FONT_SIZE) / 2.0 + 2.0).max(1.0);
    let mut content =
        format!("/Tx BMC q BT /Helv {FONT_SIZE} Tf 0 g 2 {baseline:.2} Td (").into_bytes();
    content.extend(win_ansi(value));
    content.extend_from_slice(b") Tj ET Q EMC");
    let mut fonts = Dictionary::new();
    fonts.set(b"Helv", Object::Reference(font));
    let mut resources = Dictionary::new();
    resources.set(b"Font", Object::Dictionary(fonts));
    let mut d = Dictionary::new();
    d.set(b"Type", Object::name("XObject"));
    d.set(b"Subtype", Object::name("Form"));
    d.set(
        b"BBox",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(0),
            Object::Real(w),
            Object::Real(h),
        ]),
    );
    d.set(b"Resources", Object::Dictionary(resources));
    Stream::new(d, content)
}

/// `s` as an escaped literal-string body in WinAnsi: Latin-1 as is, Đ as the look-alike Ð,
/// anything else `?` (numbers, notations and dates are ASCII but for a unit's Đ).
fn win_ansi(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let b = match c {
            'Đ' => 0xD0,
            c if (c as u32) < 0x100 && c != '\u{7f}' && (c as u32) >= 0x20 => c as u32 as u8,
            _ => b'?',
        };
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_mapped() {
        assert_eq!(
            win_ansi("12/UBND-TCĐT (a)"),
            b"12/UBND-TC\xd0T \\(a\\)".to_vec()
        );
        assert_eq!(win_ansi("ký"), b"k\xfd".to_vec());
        assert_eq!(win_ansi("ạ"), b"?".to_vec());
    }
}
