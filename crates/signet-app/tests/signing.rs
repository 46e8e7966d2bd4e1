//! The signing use case: in two steps with the key elsewhere (the state kept as JSON in
//! between, as the web's flow will), the result verified; the leader's and the seal's fields
//! made in one revision; what a request lacks, refused before anything is signed.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_app::signing::{self, Role, SignRequest};
use signet_app::AppError;
use signet_pades::testing::LocalPki;
use signet_pades::Level;
use signet_pki::RawSigner;
use time::OffsetDateTime;

fn pdf() -> Vec<u8> {
    signet_pdf::one_page_pdf(
        [0.0, 0.0, 595.0, 842.0],
        b"BT /F1 12 Tf 72 760 Td (Hi) Tj ET",
    )
}

fn request(role: Role) -> SignRequest {
    SignRequest {
        role,
        field: None,
        page: Some(0),
        rect: Some([320.0, 120.0, 520.0, 200.0]),
        image: None,
        seal_field: None,
        seal_image: None,
        agency: None,
        notation: None,
        reason: Some("Ký ban hành".into()),
        level: Level::BT,
    }
}

#[test]
fn two_steps_with_the_state_kept_between_them_give_a_valid_signature() {
    let now = OffsetDateTime::now_utc();
    let pki = LocalPki::new(now).unwrap();
    let key = pki.issue("Nguyễn Văn Hùng", false).unwrap();
    let mut req = request(Role::Personal);
    req.seal_field = Some("ChuKyCoQuan".into());
    let plan = signing::plan(pdf(), &req, &key.chain[0], now).unwrap();
    // Both fields, in one revision before the signature.
    let doc = signet_pdf::Document::parse(&plan.pdf).unwrap();
    let names: Vec<_> = doc
        .acro_form_fields()
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["ChuKyLanhDao", "ChuKyCoQuan"]);
    let pending = signing::prepare(&plan, &key.chain, key.algorithm(), None, &pki, now).unwrap();
    let kept = serde_json::to_string(&pending).unwrap();
    let pending: signet_pades::sign::Pending = serde_json::from_str(&kept).unwrap();
    let signature = key.sign(&pending.to_be_signed).unwrap();
    let signed = signing::complete(pending, &signature, &pki).unwrap();
    let mut opts = signet_pades::Options::new(pki.anchors(), now);
    opts.revocation = signet_pki::validation::RevocationPolicy::Skip;
    let report = signet_pades::verify(&signed, &opts).unwrap().report;
    assert_eq!(report.signatures.len(), 1, "{report:?}");
    let s = &report.signatures[0];
    assert_eq!(s.field, "ChuKyLanhDao");
    assert!(s.timestamp.is_some(), "B-T: {s:?}");
    assert_eq!(report.exit_code(), 0, "{report:?}");
}

#[test]
fn what_a_request_lacks_is_refused_before_signing() {
    let now = OffsetDateTime::now_utc();
    let pki = LocalPki::new(now).unwrap();
    let key = pki.issue("Ủy ban nhân dân tỉnh Lạc Hồng", true).unwrap();
    let cert = &key.chain[0];
    let r = signing::plan(pdf(), &request(Role::Attachment), cert, now);
    assert!(matches!(r, Err(AppError::Invalid(ref m)) if m.to_string().contains("notation")));
    let mut req = request(Role::Organization);
    req.page = Some(3);
    let r = signing::plan(pdf(), &req, cert, now);
    assert!(
        matches!(r, Err(AppError::Invalid(ref m)) if m.to_string().contains("page 4 does not exist"))
    );
    let r = signing::plan(b"GIF89a".to_vec(), &request(Role::Organization), cert, now);
    assert!(
        matches!(r, Err(AppError::Invalid(ref m)) if m.to_string().starts_with(signing::UNREADABLE))
    );
    // An attachment's field is placed top right without a rectangle.
    let mut req = request(Role::Attachment);
    req.rect = None;
    req.notation = Some("12/QĐ-UBND".into());
    let plan = signing::plan(pdf(), &req, cert, now).unwrap();
    let r = plan.request();
    let create = r.create.expect("a new field");
    assert_eq!(create.name, "ChuKyPhuLuc");
    assert!(
        create.rect[2] > 500.0 && create.rect[3] > 780.0,
        "{:?}",
        create.rect
    );
}

/// Signs `plan` at B-B with `key`, in two steps.
fn sign_plan(
    plan: &signing::Plan,
    key: &signet_pades::testing::LocalKey,
    pki: &LocalPki,
) -> Vec<u8> {
    let now = OffsetDateTime::now_utc();
    let pending = signing::prepare(plan, &key.chain, key.algorithm(), None, pki, now).unwrap();
    let signature = key.sign(&pending.to_be_signed).unwrap();
    signing::complete(pending, &signature, pki).unwrap()
}

fn created(plan: &signing::Plan) -> signet_pades::sign::NewField {
    plan.request().create.expect("a new field")
}

#[test]
fn without_a_field_or_rectangle_the_placement_rule_applies() {
    let now = OffsetDateTime::now_utc();
    let pki = LocalPki::new(now).unwrap();
    let leader = pki.issue("Nguyễn Văn Hùng", false).unwrap();
    let seal = pki.issue("Ủy ban nhân dân tỉnh Lạc Hồng", true).unwrap();
    // A leader without a mark: the bottom right of the (last) page.
    let mut req = request(Role::Personal);
    req.rect = None;
    req.page = None;
    let plan = signing::plan(pdf(), &req, &leader.chain[0], now).unwrap();
    let field = created(&plan);
    assert_eq!((field.name.as_str(), field.page), ("ChuKyLanhDao", 0));
    assert_eq!(
        field.rect,
        signet_appearance::default_signature_rect([0.0, 0.0, 595.0, 842.0])
    );
    // An organization without a mark and no signature yet: the same default box.
    let mut org = request(Role::Organization);
    org.rect = None;
    org.page = None;
    let plan = signing::plan(pdf(), &org, &seal.chain[0], now).unwrap();
    assert_eq!(created(&plan).rect, field.rect);

    // The leader signs with a seal field of another name: the seal takes that empty field.
    req.seal_field = Some("DauCoQuan".into());
    let plan = signing::plan(pdf(), &req, &leader.chain[0], now).unwrap();
    let signed = sign_plan(&plan, &leader, &pki);
    let plan = signing::plan(signed.clone(), &org, &seal.chain[0], now).unwrap();
    let r = plan.request();
    assert_eq!(r.field, "DauCoQuan");
    assert!(r.create.is_none());
    // Without such a field, the seal goes over the left third of the leader's signature.
    req.seal_field = None;
    let plan = signing::plan(pdf(), &req, &leader.chain[0], now).unwrap();
    let signed = sign_plan(&plan, &leader, &pki);
    let plan = signing::plan(signed, &org, &seal.chain[0], now).unwrap();
    let seal_box = created(&plan).rect;
    // The leader's box as the file stores it (rounded).
    let leader_box = field.rect;
    assert!(
        (seal_box[2] - (leader_box[0] + (leader_box[2] - leader_box[0]) / 3.0)).abs() < 1e-3,
        "{seal_box:?} over {leader_box:?}"
    );
}
