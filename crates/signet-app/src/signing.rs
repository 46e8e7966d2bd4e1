//! PAdES signing of a PDF: where the signature goes (an existing empty field, a new one, the
//! leader's field with the agency's seal field beside it), what it shows (the handwritten
//! image, the seal, the attachment text), the level and the network it needs. One use case for
//! `signet sign` and the web's signing flow; the work itself is in `signet-pades` (pure).
//!
//! In one go with a key at hand ([`sign`]), or in two steps when the key is elsewhere (a
//! remote-signing service, a token in the signer's browser): [`plan`] and [`prepare`] give the
//! bytes to sign and a state to keep; [`complete`] takes the signature back. [`sign`] is the
//! same steps with the key in between, so both ways are one path. Many files with one key
//! ([`Signer`]): the key unlocked and its chain completed once, then each file signed.
//!
//! Without a field or a rectangle the placement rule of [`placement`] applies (the role's empty
//! field, the seal over the leader's signature, or the bottom right of the last page). From
//! B-LT the chain is completed up to its root and the signed file is checked to validate
//! offline before it is returned.

mod chain;
mod placement;

pub use chain::{chain_root, check_offline, complete_chain};

use signet_appearance::{Appearance, AttachmentText, Layout};
use signet_net::{Fetcher, HttpClient};
use signet_pades::dss::Dss;
use signet_pades::sign::{self, NewField, Pending, Request};
use signet_pades::{Level, Services, SignError};
use signet_pki::validation::{RevocationNeed, TrustAnchors};
use signet_pki::{RawSigner, SignatureAlgorithm};
use time::OffsetDateTime;

use crate::clock::VIETNAM;
use crate::{AppError, Invalid};

/// Whose signature, which decides its appearance and its default field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The competent person's signature (a leader): the handwritten image.
    Personal,
    /// The agency's electronic seal, after the leader's signature.
    Organization,
    /// An attachment or electronic copy signed by the agency: text at the top right.
    Attachment,
}

impl Role {
    /// The field signed when none is named.
    pub fn default_field(self) -> &'static str {
        match self {
            Role::Personal => "ChuKyLanhDao",
            Role::Organization => "ChuKyCoQuan",
            Role::Attachment => "ChuKyPhuLuc",
        }
    }
}

/// The key to sign with.
pub enum SigningKey {
    /// A software keystore (PKCS#12).
    Software(signet_signers::SoftwareKey),
    /// A key on a PKCS#11 token.
    Token(signet_signers::Pkcs11Key),
}

/// One signature to make.
#[derive(Debug, Clone)]
pub struct SignRequest {
    pub role: Role,
    /// The signature field (default: the role's empty field); created when missing.
    pub field: Option<String>,
    /// Page of a new field, from 0 (default: the first for an attachment, the last otherwise).
    pub page: Option<usize>,
    /// Rectangle of a new field, in points (default: see [`placement`]).
    pub rect: Option<[f64; 4]>,
    /// The leader's handwritten signature (blue PNG) or the agency's seal (red PNG).
    pub image: Option<Vec<u8>>,
    /// With [`Role::Personal`]: also create the agency's seal field (this name) in the same
    /// revision, over the left third of the leader's signature.
    pub seal_field: Option<String>,
    /// The seal image that sizes the seal field (default: a 36 mm demo seal).
    pub seal_image: Option<Vec<u8>>,
    /// The agency's name (default: the certificate's organization).
    pub agency: Option<String>,
    /// Number and notation of the main document (attachment role).
    pub notation: Option<String>,
    pub reason: Option<String>,
    pub level: Level,
}

/// Everything a signature needs but the key: the file (with any new fields), the field, the
/// appearance's data. [`Plan::request`] is the `signet-pades` request.
pub struct Plan {
    pub pdf: Vec<u8>,
    field: String,
    create: Option<NewField>,
    rect: [f64; 4],
    role: Role,
    image: Option<Vec<u8>>,
    /// The seal drawn by an organization's signature; empty for the other roles (the demo
    /// seal is rendered only when it is drawn).
    seal_png: Vec<u8>,
    agency: String,
    notation: String,
    signer_name: String,
    time_text: String,
    m: String,
    reason: Option<String>,
    level: Level,
    /// Text fields filled in the signing revision (see [`Plan::with_fill`]).
    fill: Vec<(String, String)>,
}

/// How an error about the input file itself begins.
pub const UNREADABLE: &str = "not a readable PDF";

fn invalid(e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(Invalid::Signing {
        detail: e.to_string(),
    })
}

/// Where and how `certificate` signs `pdf` at `now`.
pub fn plan(
    pdf: Vec<u8>,
    req: &SignRequest,
    certificate: &[u8],
    now: OffsetDateTime,
) -> Result<Plan, AppError> {
    let now = now.to_offset(VIETNAM);
    let doc =
        signet_pdf::Document::parse(&pdf).map_err(|e| invalid(format!("{UNREADABLE}: {e}")))?;
    if doc.encryption().is_some() {
        return Err(AppError::Invalid(Invalid::PdfEncrypted));
    }
    let agency = req
        .agency
        .clone()
        .unwrap_or_else(|| organization_of(certificate));
    let time_text = iso_vietnam(now);
    let notation = match (req.role, &req.notation) {
        (Role::Attachment, None) => {
            return Err(invalid(
                "an attachment's signature needs the main document's number and notation",
            ))
        }
        (_, n) => n.clone().unwrap_or_default(),
    };
    let text = AttachmentText {
        notation: &notation,
        agency: &agency,
        signing_time: &time_text,
    };
    let spot = placement::choose(&doc, req, &text)?;
    drop(doc);
    let mut pdf = pdf;
    let (field, rect, create) = match spot {
        placement::Spot::Existing { name, rect } => (name, rect, None),
        placement::Spot::New { name, page, rect } => match (req.role, &req.seal_field) {
            (Role::Personal, Some(seal)) => {
                pdf = add_leader_and_seal(&pdf, req, &name, seal, page, rect)?;
                (name, rect, None)
            }
            _ => {
                let create = NewField {
                    name: name.clone(),
                    page,
                    rect,
                };
                (name, rect, Some(create))
            }
        },
    };
    let signer_name = signet_pki::validation::summarize(certificate)
        .map(|s| s.subject_cn)
        .unwrap_or_default();
    let seal_png = match (req.role, &req.image) {
        (Role::Organization, Some(png)) => png.clone(),
        (Role::Organization, None) => signet_appearance::demo::seal_png(),
        _ => Vec::new(),
    };
    Ok(Plan {
        pdf,
        field,
        create,
        rect,
        role: req.role,
        image: req.image.clone(),
        seal_png,
        agency,
        notation,
        signer_name,
        time_text,
        m: signet_pades::pdfdate::pdf_date(now),
        reason: req.reason.clone(),
        level: req.level,
        fill: Vec::new(),
    })
}

impl Plan {
    /// The same plan also filling these text fields (name, value) in the signing revision:
    /// the number, notation and date written at issuance, as form filling.
    pub fn with_fill(mut self, values: Vec<(String, String)>) -> Self {
        self.fill = values;
        self
    }

    /// The field this plan signs.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The `signet-pades` request: field, appearance, time, level.
    pub fn request(&self) -> Request<'_> {
        let layout = match self.role {
            Role::Personal => Layout::Personal {
                signature_png: self.image.as_deref(),
                name: &self.signer_name,
            },
            Role::Organization => Layout::Organization {
                seal_png: &self.seal_png,
                agency: &self.agency,
                signing_time: &self.time_text,
            },
            Role::Attachment => Layout::Attachment(AttachmentText {
                notation: &self.notation,
                agency: &self.agency,
                signing_time: &self.time_text,
            }),
        };
        let r = self.rect;
        let (w, h) = ((r[2] - r[0]).abs(), (r[3] - r[1]).abs());
        Request {
            field: self.field.clone(),
            create: self.create.clone(),
            appearance: (w > 0.0 && h > 0.0).then_some(Appearance {
                width: w,
                height: h,
                layout,
            }),
            m: self.m.clone(),
            reason: self.reason.clone(),
            location: None,
            level: self.level,
            validation_data: None,
            fill: self.fill.clone(),
        }
    }
}

impl SigningKey {
    pub(crate) fn algorithm(&self) -> SignatureAlgorithm {
        match self {
            SigningKey::Software(k) => k.algorithm(),
            SigningKey::Token(k) => k.algorithm(),
        }
    }

    pub(crate) fn sign(&self, to_be_signed: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            SigningKey::Software(k) => k.sign(to_be_signed).map_err(|e| e.to_string()),
            SigningKey::Token(k) => k.sign(to_be_signed).map_err(|e| e.to_string()),
        }
    }
}

/// Step 1 when the key is elsewhere: the file with its placeholder and the bytes the key
/// must sign ([`signet_pades::sign::Pending`], safe to persist). From B-LT, the validation
/// data of the signer's chain (and of the signatures already there) is fetched now and goes
/// into the signing revision. `certs`: the signer's certificate, then its chain; `anchors`
/// only serve to gather that data (default: the chain's root — an error when the chain does
/// not end at one; see [`complete_chain`]).
pub fn prepare(
    plan: &Plan,
    certs: &[Vec<u8>],
    algorithm: SignatureAlgorithm,
    anchors: Option<TrustAnchors>,
    services: &dyn Services,
    now: OffsetDateTime,
) -> Result<Pending, AppError> {
    let (cert, chain) = certs
        .split_first()
        .ok_or_else(|| invalid("no signer certificate"))?;
    let mut request = plan.request();
    if plan.level >= Level::BLT {
        let anchors = match anchors {
            Some(a) => a,
            None => chain::chain_root(certs)?,
        };
        let data = sign::gather_validation_data(&plan.pdf, cert, chain, services, &anchors, now)
            .map_err(invalid)?;
        request.validation_data = Some(data);
    }
    sign::prepare(&plan.pdf, &request, algorithm, cert, chain).map_err(invalid)
}

/// Step 2: the raw signature over [`Pending::to_be_signed`] → the signed file, with the
/// signature's timestamp from B-T and a document timestamp at B-LTA.
pub fn complete(
    pending: Pending,
    signature: &[u8],
    services: &dyn Services,
) -> Result<Vec<u8>, AppError> {
    let level = pending.level;
    let out = sign::complete(pending, signature, services).map_err(invalid)?;
    if level < Level::BLTA {
        return Ok(out);
    }
    sign::add_document_timestamp(&out, services, "Signet-DocTimeStamp").map_err(invalid)
}

/// Signs `pdf` in one go with a key at hand: [`plan`], [`prepare`], the key, [`complete`].
pub fn sign(
    pdf: Vec<u8>,
    req: &SignRequest,
    key: &SigningKey,
    certs: &[Vec<u8>],
    anchors: Option<TrustAnchors>,
    services: &dyn Services,
    now: OffsetDateTime,
) -> Result<Vec<u8>, AppError> {
    let cert = certs
        .first()
        .ok_or_else(|| invalid("no signer certificate"))?;
    let plan = plan(pdf, req, cert, now)?;
    sign_planned(&plan, key, certs, anchors, services, now)
}

/// Signs what [`plan`] planned (possibly with [`Plan::with_fill`]) with a key at hand.
pub fn sign_planned(
    plan: &Plan,
    key: &SigningKey,
    certs: &[Vec<u8>],
    anchors: Option<TrustAnchors>,
    services: &dyn Services,
    now: OffsetDateTime,
) -> Result<Vec<u8>, AppError> {
    let now = now.to_offset(VIETNAM);
    let long_term = match (&anchors, plan.level >= Level::BLT) {
        (_, false) => None,
        (Some(a), true) => Some(a.clone()),
        (None, true) => Some(chain::chain_root(certs)?),
    };
    let pending = prepare(plan, certs, key.algorithm(), anchors, services, now)?;
    let signature = key
        .sign(&pending.to_be_signed)
        .map_err(|e| invalid(SignError::Signer(e)))?;
    let out = complete(pending, &signature, services)?;
    if let Some(anchors) = long_term {
        chain::check_offline(&out, &plan.field, &anchors, now)?;
    }
    Ok(out)
}

/// A key ready to sign many files (`signet sign --out-dir`): unlocked once, its chain
/// completed once (from B-LT), then [`Signer::sign`] per file.
pub struct Signer {
    key: SigningKey,
    certs: Vec<Vec<u8>>,
    anchors: Option<TrustAnchors>,
}

impl Signer {
    /// `certs`: the signer's certificate, then what is known of its chain; `trusted`: the
    /// anchors given (`--trust`), if any. From B-LT the chain is completed up to its root
    /// (see [`complete_chain`], AIA fetched through `net`), so the validation data covers it.
    pub fn new(
        key: SigningKey,
        certs: Vec<Vec<u8>>,
        trusted: Option<TrustAnchors>,
        level: Level,
        net: &NetServices,
        now: OffsetDateTime,
    ) -> Result<Signer, AppError> {
        let certs = if level >= Level::BLT {
            let anchors: Vec<Vec<u8>> = trusted
                .as_ref()
                .map(|a| a.summaries().into_iter().map(|s| s.der).collect())
                .unwrap_or_default();
            complete_chain(&certs, &anchors, &|url| net.ca_issuers(url, now))?
        } else {
            certs
        };
        Ok(Signer {
            key,
            certs,
            anchors: trusted,
        })
    }

    /// Signs one file: see [`sign`].
    pub fn sign(
        &self,
        pdf: Vec<u8>,
        req: &SignRequest,
        services: &dyn Services,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, AppError> {
        sign(
            pdf,
            req,
            &self.key,
            &self.certs,
            self.anchors.clone(),
            services,
            now,
        )
    }
}

/// The leader's and the seal's fields in one revision, before the first signature.
fn add_leader_and_seal(
    pdf: &[u8],
    req: &SignRequest,
    leader: &str,
    seal: &str,
    page: usize,
    rect: [f64; 4],
) -> Result<Vec<u8>, AppError> {
    let seal_rect = placement::seal_over(rect, req.seal_image.as_deref())?;
    let field = |name: &str, rect| NewField {
        name: name.to_owned(),
        page,
        rect,
    };
    sign::add_fields(pdf, &[field(leader, rect), field(seal, seal_rect)]).map_err(invalid)
}

fn organization_of(cert: &[u8]) -> String {
    signet_pki::validation::summarize(cert)
        .map(|s| {
            s.subject
                .split(',')
                .find_map(|p| p.trim().strip_prefix("O=").map(str::to_owned))
                .unwrap_or(s.subject_cn)
        })
        .unwrap_or_default()
}

fn iso_vietnam(t: OffsetDateTime) -> String {
    let t = t.to_offset(VIETNAM);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The network as signing sees it: the TSA, OCSP responders and CRL distribution points.
pub struct NetServices {
    fetcher: Fetcher,
    tsa: Option<String>,
}

impl NetServices {
    /// `tsa`: the time-stamping authority's URL (needed from B-T up).
    pub fn new(tsa: Option<String>) -> Self {
        Self {
            fetcher: Fetcher::new(HttpClient::default()),
            tsa,
        }
    }
}

impl NetServices {
    /// The certificates served at a caIssuers address (none when it fails: the chain's
    /// completion then says what is missing).
    pub fn ca_issuers(&self, url: &str, now: OffsetDateTime) -> Vec<Vec<u8>> {
        self.fetcher.fetch_ca_issuers(url, now).unwrap_or_else(|e| {
            tracing::warn!("caIssuers {url}: {e}");
            Vec::new()
        })
    }
}

impl Services for NetServices {
    fn timestamp(&self, request: &[u8]) -> Result<Vec<u8>, String> {
        let url = self
            .tsa
            .as_deref()
            .ok_or("B-T and above need a time-stamping authority (--tsa URL)")?;
        self.fetcher
            .timestamp(url, request)
            .map_err(|e| e.to_string())
    }

    fn revocation(&self, needs: &[RevocationNeed], at: OffsetDateTime) -> Dss {
        let f = self.fetcher.fetch_revocation(needs, at);
        for e in &f.errors {
            tracing::warn!("revocation data: {e}");
        }
        Dss {
            certs: Vec::new(),
            ocsps: f.ocsp_responses,
            crls: f.crls,
        }
    }
}
