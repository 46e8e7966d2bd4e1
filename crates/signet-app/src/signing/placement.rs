//! Where a signature goes when the request does not say (issue 9 §1, §6): a named field; else
//! the role's empty field (the seal field the leader's signature created); else a new field —
//! the attachment's text box at the top right of its page, the seal over the left third of the
//! leader's signature, or the bottom right of the last page, where the signature block of
//! Phụ lục I sits. Pure: it reads the document, the web's flow can use it as the CLI does.

use signet_appearance::AttachmentText;
use signet_pdf::{Document, ObjRef, SignatureField};

use super::{invalid, Role, SignRequest};
use crate::AppError;

/// Width kept for the agency's name and the time to the left of the seal.
pub(super) const SEAL_TEXT_WIDTH: f64 = 150.0;

/// The field a signature goes into.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Spot {
    /// An empty field already in the document.
    Existing { name: String, rect: [f64; 4] },
    /// A new field: its name, zero-based page and rectangle.
    New {
        name: String,
        page: usize,
        rect: [f64; 4],
    },
}

/// Where `req` signs `doc`. `text` sizes an attachment's box.
pub(super) fn choose(
    doc: &Document,
    req: &SignRequest,
    text: &AttachmentText,
) -> Result<Spot, AppError> {
    let fields = doc.acro_form_fields().map_err(invalid)?;
    if let Some(name) = &req.field {
        return match fields.iter().find(|f| &f.name == name) {
            Some(f) if !f.is_empty() => Err(invalid(format!("the field {name} is already signed"))),
            Some(f) => Ok(existing(f)),
            None => new_field(doc, &fields, req, text, name.clone()),
        };
    }
    let default = req.role.default_field();
    if let Some(f) = fields.iter().find(|f| f.name == default && f.is_empty()) {
        return Ok(existing(f));
    }
    if req.role == Role::Organization && req.rect.is_none() {
        if let Some(f) = empty_seal_field(doc, &fields) {
            return Ok(existing(f));
        }
    }
    let name = unique_name(&fields, default);
    new_field(doc, &fields, req, text, name)
}

fn existing(f: &SignatureField) -> Spot {
    Spot::Existing {
        name: f.name.clone(),
        rect: f.widgets.first().and_then(|w| w.rect).unwrap_or([0.0; 4]),
    }
}

/// A new field's page and rectangle: the request's, else the role's default.
fn new_field(
    doc: &Document,
    fields: &[SignatureField],
    req: &SignRequest,
    text: &AttachmentText,
    name: String,
) -> Result<Spot, AppError> {
    let pages = doc.pages().map_err(invalid)?;
    let last = pages.len().saturating_sub(1);
    let (page, rect) = match (req.rect, req.role) {
        (Some(rect), _) => (req.page.unwrap_or(0), rect),
        (None, Role::Attachment) => {
            let page = req.page.unwrap_or(0);
            let media = media_box(doc, &pages, page);
            let rect = signet_appearance::top_right_rect(media, text).map_err(invalid)?;
            (page, rect)
        }
        (None, Role::Organization) => match last_signed(fields, &pages) {
            Some((page, leader)) if req.page.is_none_or(|p| p == page) => {
                (page, seal_over(leader, req.image.as_deref())?)
            }
            _ => default_spot(doc, &pages, req.page.unwrap_or(last)),
        },
        (None, Role::Personal) => default_spot(doc, &pages, req.page.unwrap_or(last)),
    };
    if page >= pages.len().max(1) {
        return Err(invalid(format!(
            "page {} does not exist: the document has {}",
            page + 1,
            pages.len()
        )));
    }
    Ok(Spot::New { name, page, rect })
}

fn default_spot(doc: &Document, pages: &[ObjRef], page: usize) -> (usize, [f64; 4]) {
    let media = media_box(doc, pages, page);
    (page, signet_appearance::default_signature_rect(media))
}

/// The seal's field over the left third of the leader's box, sized by the seal image (the
/// demo seal's size is known without drawing it).
pub(super) fn seal_over(leader: [f64; 4], seal_png: Option<&[u8]>) -> Result<[f64; 4], AppError> {
    let size = match seal_png {
        Some(png) => signet_appearance::seal_size_pt(png).map_err(invalid)?,
        None => signet_appearance::demo::seal_size_pt(),
    };
    Ok(signet_appearance::seal_rect(leader, size, SEAL_TEXT_WIDTH))
}

/// The page and rectangle of the last signed field that shows on a page: the leader's.
fn last_signed(fields: &[SignatureField], pages: &[ObjRef]) -> Option<(usize, [f64; 4])> {
    fields
        .iter()
        .filter(|f| !f.is_empty())
        .filter_map(|f| placed(f, pages))
        .rfind(|(_, r)| area(*r) > 0.0)
}

/// An empty field placed as a seal over a signed field (its right edge within the signed
/// box's left half, its middle within the box's height, on the same page).
fn empty_seal_field<'a>(
    doc: &Document,
    fields: &'a [SignatureField],
) -> Option<&'a SignatureField> {
    let pages = doc.pages().ok()?;
    let signed: Vec<(usize, [f64; 4])> = fields
        .iter()
        .filter(|f| !f.is_empty())
        .filter_map(|f| placed(f, &pages))
        .collect();
    fields.iter().filter(|f| f.is_empty()).find(|f| {
        placed(f, &pages).is_some_and(|(page, e)| {
            signed
                .iter()
                .any(|&(p, s)| p == page && over_left_half(normalized(e), normalized(s)))
        })
    })
}

fn over_left_half(seal: [f64; 4], leader: [f64; 4]) -> bool {
    let middle = (seal[1] + seal[3]) / 2.0;
    seal[2] > leader[0]
        && seal[2] <= leader[0] + (leader[2] - leader[0]) / 2.0
        && (leader[1]..=leader[3]).contains(&middle)
}

fn placed(f: &SignatureField, pages: &[ObjRef]) -> Option<(usize, [f64; 4])> {
    let w = f.widgets.first()?;
    let page = pages.iter().position(|p| Some(*p) == w.page)?;
    Some((page, w.rect?))
}

fn normalized([ax, ay, bx, by]: [f64; 4]) -> [f64; 4] {
    [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)]
}

fn area(r: [f64; 4]) -> f64 {
    let [x0, y0, x1, y1] = normalized(r);
    (x1 - x0) * (y1 - y0)
}

fn media_box(doc: &Document, pages: &[ObjRef], page: usize) -> [f64; 4] {
    pages
        .get(page)
        .and_then(|p| doc.page_media_box(*p).ok())
        .unwrap_or([0.0, 0.0, 595.0, 842.0])
}

/// `base`, or `base2`, `base3`… when a field of that name exists (signed already).
fn unique_name(fields: &[SignatureField], base: &str) -> String {
    let taken = |n: &str| fields.iter().any(|f| f.name == n);
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_box_over_the_left_half_of_the_leaders_is_recognised() {
        let leader = [330.0, 80.0, 530.0, 160.0];
        let seal = seal_over(leader, None).unwrap();
        assert!(over_left_half(seal, leader), "{seal:?}");
        // A box beside the leader's, or far below it, is not a seal over it.
        assert!(!over_left_half([100.0, 80.0, 300.0, 160.0], leader));
        assert!(!over_left_half([300.0, 0.0, 380.0, 40.0], leader));
    }
}
