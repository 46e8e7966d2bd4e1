//! Electronic copies (issue 13 §7): the clerk makes a sao y of an issued document — numbered
//! from the copies register, the original's page and a copy-form page, sealed at the top
//! right of the first page with the attachment/copy appearance; Signet's verifier, pdfsig and
//! pyHanko (when installed) accept the seal; the copy and its original link both ways and the
//! journal says so; the next copy takes the next number. A trích sao of one page of a
//! three-page incoming document has that page and the form. Scans are refused when not a PDF,
//! under 200 dpi or grey, without taking a number; a colour 200 dpi scan is copied.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_app::testing::support::{init_ca, viewer};
use std::io::Write;
use std::sync::Arc;

use signet_app::ca_service::BuiltInCa;
use signet_app::copies::{check_order, CopyOrder};
use signet_app::documents::{ArrivalForm, DocumentForm};
use signet_app::testing::chairman_key;
use signet_app::verification::Verifier;
use signet_app::{App, AppError, Invalid, SystemClock};
use signet_core::person::Viewer;
use signet_core::register::CopyKind;
use signet_core::DocumentId;
use signet_pades::sign::Pending;
use signet_pdf::object::{Dictionary, Object, Stream};
use signet_pdf::FreshDocument;
use signet_pki::validation::TrustAnchors;
use signet_pki::RawSigner;
use signet_store::documents::{NewDocument, NewFile};
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;
use time::OffsetDateTime;

async fn app_on(db: &TestDb) -> App {
    app_with_tsa(db, None).await
}

/// The application time-stamping at `tsa` (else with the built-in CA).
async fn app_with_tsa(db: &TestDb, tsa: Option<&str>) -> App {
    let blobs = BlobStore::open(db.dir.join("blobs"), 256 << 20)
        .await
        .unwrap();
    let ca = BuiltInCa::open(&db.dir.join("ca")).unwrap();
    let root = std::fs::read(db.dir.join("ca/root.pem")).unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_pem_or_der(&root).unwrap();
    App::new(db.store.clone(), blobs, Arc::new(SystemClock))
        .with_signing(signet_app::web_signing::Setup {
            tsa: tsa.map(str::to_owned),
            ..Default::default()
        })
        .with_ca(ca)
        .with_verifier(Verifier::new(anchors, false))
}

async fn blob_file(app: &App, bytes: &[u8], name: &str, content_type: &str) -> NewFile {
    let mut w = app.blobs.writer().await.unwrap();
    w.write(bytes).await.unwrap();
    NewFile {
        blob: w.finish().await.unwrap(),
        file_name: name.into(),
        content_type: content_type.into(),
        kind: "main".into(),
    }
}

/// The demo province on a fresh CA, and the three people a copy involves.
struct Seeded {
    app: App,
    officer: Viewer,
    leader: Viewer,
    clerk: Viewer,
}

async fn seeded(db: &TestDb) -> Seeded {
    init_ca(&db.dir, OffsetDateTime::now_utc());
    let app = app_on(db).await;
    assert!(app.seed_demo().await.unwrap());
    Seeded {
        officer: viewer(&app, "chuyenvien.vp").await,
        leader: viewer(&app, "lanhdao.ubnd").await,
        clerk: viewer(&app, "vanthu.ubnd").await,
        app,
    }
}

/// An issued document: drafted, signed by the leader, issued (numbered and sealed).
async fn issued_document(
    app: &App,
    officer: &Viewer,
    leader: &Viewer,
    clerk: &Viewer,
) -> DocumentId {
    let pdf = signet_app::demo::sample_pdf("Ve viec sao van ban");
    let file = blob_file(app, &pdf, "du-thao.pdf", "application/pdf").await;
    let new = NewDocument {
        agency_id: officer.agency_id.clone(),
        doc_type: signet_core::document::DocumentType::QuyetDinh,
        subject: "Về việc sao văn bản điện tử".into(),
        urgency: Default::default(),
        secrecy: Default::default(),
        signer_name: String::new(),
        signer_position: String::new(),
        pages: Some(1),
        recipients: String::new(),
        due_on: None,
        drafting_unit_id: app.store.person(&officer.person_id).await.unwrap().unit_id,
        created_by: officer.person_id.clone(),
        files: vec![file],
    };
    let d = app
        .store
        .insert_draft(&new, app.clock.now_ms())
        .await
        .unwrap();
    app.submit(officer, &d.id).await.unwrap();
    let (key, chain) = chairman_key(app, Some("Chủ tịch")).await.unwrap();
    let p = app
        .prepare_signature(leader, &d.id, "agent", chain.clone())
        .await
        .unwrap();
    let row = app
        .store
        .pending_signature(&leader.agency_id, &p.pending_id)
        .await
        .unwrap();
    let pending: Pending = serde_json::from_str(&row.state_json).unwrap();
    let sig = key.sign(&pending.to_be_signed).unwrap();
    app.complete_signature(leader, &p.pending_id, &sig, &chain)
        .await
        .unwrap();
    let issued = app.issue_step(clerk, &d.id).await.unwrap();
    assert_eq!(issued.state.code(), "issued");
    d.id
}

/// A PDF of `pages` A4 pages, each showing one image of `w` × `h` pixels in `space`
/// (`DeviceRGB`, `DeviceGray`), or only text when `w` is 0.
fn pdf_of(pages: usize, w: u64, h: u64, space: &str) -> Vec<u8> {
    let mut d = FreshDocument::new();
    let (catalog, tree) = (d.allocate(), d.allocate());
    let mut kids = Vec::new();
    for i in 0..pages {
        let (page, contents, image, font) =
            (d.allocate(), d.allocate(), d.allocate(), d.allocate());
        let mut resources = Dictionary::new().with(b"Font", Dictionary::new().with(b"F1", font));
        let ops = if w > 0 {
            let components: u64 = if space == "DeviceGray" { 1 } else { 3 };
            let raw = vec![0xC0u8; usize::try_from(w * h * components).unwrap()];
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(&raw).unwrap();
            let data = z.finish().unwrap();
            d.put(
                image,
                &Object::Stream(Stream::new(
                    Dictionary::new()
                        .with(b"Type", Object::name("XObject"))
                        .with(b"Subtype", Object::name("Image"))
                        .with(b"Width", Object::Integer(i64::try_from(w).unwrap()))
                        .with(b"Height", Object::Integer(i64::try_from(h).unwrap()))
                        .with(b"ColorSpace", Object::name(space))
                        .with(b"BitsPerComponent", Object::Integer(8))
                        .with(b"Filter", Object::name("FlateDecode")),
                    data,
                )),
            );
            resources.set(b"XObject", Dictionary::new().with(b"Im0", image));
            "q 595 0 0 842 0 0 cm /Im0 Do Q".to_owned()
        } else {
            d.put(image, &Object::Null);
            format!("BT /F1 14 Tf 56 740 Td (Trang {}) Tj ET", i + 1)
        };
        d.put(
            font,
            &Dictionary::new()
                .with(b"Type", Object::name("Font"))
                .with(b"Subtype", Object::name("Type1"))
                .with(b"BaseFont", Object::name("Times-Roman"))
                .into(),
        );
        d.put(
            contents,
            &Object::Stream(Stream::new(Dictionary::new(), ops.into_bytes())),
        );
        d.put(
            page,
            &Dictionary::new()
                .with(b"Type", Object::name("Page"))
                .with(b"Parent", tree)
                .with(
                    b"MediaBox",
                    Object::Array([0.0, 0.0, 595.0, 842.0].map(Object::Real).to_vec()),
                )
                .with(b"Resources", resources)
                .with(b"Contents", contents)
                .into(),
        );
        kids.push(Object::Reference(page));
    }
    d.put(
        tree,
        &Dictionary::new()
            .with(b"Type", Object::name("Pages"))
            .with(b"Kids", Object::Array(kids))
            .with(b"Count", Object::Integer(i64::try_from(pages).unwrap()))
            .into(),
    );
    d.put(
        catalog,
        &Dictionary::new()
            .with(b"Type", Object::name("Catalog"))
            .with(b"Pages", tree)
            .into(),
    );
    d.finish(catalog, None)
}

async fn copy_bytes(app: &App, clerk: &Viewer, id: &str) -> (String, Vec<u8>) {
    let (_, name, mut f) = app.copy_file(clerk, id).await.unwrap();
    let mut v = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut f, &mut v)
        .await
        .unwrap();
    (name, v)
}

fn order(kind: &str, pages: &str) -> CopyOrder {
    check_order(kind, pages, "Sở Nội vụ\nLưu: VT").unwrap()
}

/// The copy's one signature: the agency's seal at the top right of page 1, intact, B-LT.
fn check_seal(app: &App, db: &TestDb, pdf: &[u8], name: &str) {
    let report = app.verifier.verify(pdf, OffsetDateTime::now_utc()).unwrap();
    assert_eq!(report.signatures.len(), 1, "{report:?}");
    let s = &report.signatures[0];
    assert_eq!(format!("{:?}", s.integrity), "Intact", "{s:?}");
    assert_eq!(s.level.as_deref(), Some("B-LT"), "{s:?}");
    assert_eq!(report.exit_code(), 0, "{report:?}");
    let doc = signet_pdf::Document::parse(pdf).unwrap();
    let fields = doc.acro_form_fields().unwrap();
    let w = fields[0].widgets.first().unwrap();
    let first = doc.pages().unwrap()[0];
    assert_eq!(w.page, Some(first), "sealed on the first page");
    let r = w.rect.unwrap();
    assert!(
        r[0].min(r[2]) > 595.0 / 2.0 && r[1].min(r[3]) > 842.0 / 2.0,
        "top right: {r:?}"
    );
    let path = db.dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    if let Some(pdfsig) = signet_testkit::tool("pdfsig") {
        let out = signet_testkit::run(&db.dir, pdfsig, &["-nocert", path.to_str().unwrap()]);
        let text = signet_testkit::text(&out);
        assert_eq!(text.matches("Signature is Valid").count(), 1, "{text}");
        assert!(text.contains("Total document signed"), "{text}");
    }
    if let Some(pyhanko) = signet_testkit::tool("pyhanko") {
        let root = db.dir.join("ca/root.pem");
        let out = signet_testkit::run(
            &db.dir,
            pyhanko,
            &[
                "sign",
                "validate",
                "--pretty-print",
                "--no-revocation-check",
                "--trust",
                root.to_str().unwrap(),
                path.to_str().unwrap(),
            ],
        );
        let text = signet_testkit::text(&out);
        assert_eq!(text.matches("judged VALID").count(), 1, "pyHanko:\n{text}");
    }
}

/// The text pdftotext reads on each page (None without pdftotext).
fn page_texts(db: &TestDb, pdf: &[u8], name: &str) -> Option<Vec<String>> {
    let tool = signet_testkit::tool("pdftotext")?;
    let path = db.dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let out = signet_testkit::run(&db.dir, tool, &[path.to_str().unwrap(), "-"]);
    assert!(out.status.success(), "{}", signet_testkit::text(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(text.split('\u{c}').map(str::to_owned).collect())
}

#[tokio::test]
async fn the_clerk_copies_an_issued_document_and_its_pages_and_scans_are_checked() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Seeded {
            app,
            officer,
            leader,
            clerk,
        } = seeded(&db).await;
        let agency = app.store.agency(&clerk.agency_id).await.unwrap();
        let doc = issued_document(&app, &officer, &leader, &clerk).await;
        let original = app.store.document(&clerk.agency_id, &doc).await.unwrap();
        let year = i64::from(OffsetDateTime::now_utc().year());

        // Only the clerk copies; a draft is not copied.
        let e = app
            .make_copy(&officer, &doc, &order("sao_y", ""))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");

        // SAO Y: number 1 of the copies register, the original's page and the form.
        let copy = app
            .make_copy(&clerk, &doc, &order("sao_y", ""))
            .await
            .unwrap();
        assert_eq!(copy.kind, CopyKind::SaoY);
        assert_eq!(copy.number, 1);
        assert_eq!(copy.notation, format!("1/SY-{}", agency.abbreviation));
        assert_eq!(copy.state, "done", "{}", copy.reason);
        assert_eq!(copy.page_count, Some(2), "one page and the form");
        assert_eq!(copy.recipient_list(), vec!["Sở Nội vụ", "Lưu: VT"]);
        let (name, pdf) = copy_bytes(&app, &clerk, &copy.id).await;
        assert_eq!(name, format!("1-SY-{}.pdf", agency.abbreviation));
        assert_eq!(
            signet_pdf::Document::parse(&pdf)
                .unwrap()
                .pages()
                .unwrap()
                .len(),
            2
        );
        check_seal(&app, &db, &pdf, "sao-y.pdf");
        if let Some(pages) = page_texts(&db, &pdf, "sao-y.pdf") {
            // The original's page as it showed, its number included; the form on the last.
            let notation = original.notation.clone().unwrap();
            assert!(pages[0].contains("ve viec sao van ban"), "{pages:?}");
            // (The draft's form field shows Đ in a standard font's encoding: Ð.)
            assert!(pages[0].replace('Ð', "Đ").contains(&notation), "{pages:?}");
            // The seal's text at the top right names the copy.
            assert!(
                pages[0].contains(&format!("Số, ký hiệu: {}", copy.notation)),
                "{pages:?}"
            );
            let form = &pages[1];
            assert!(form.contains("SAO Y"), "{form}");
            assert!(form.contains(&format!("Số: {}", copy.notation)), "{form}");
            assert!(form.contains("Nơi nhận:"), "{form}");
            assert!(form.contains("Sở Nội vụ"), "{form}");
            assert!(form.contains(&agency.name.to_uppercase()), "{form}");
            assert!(
                form.contains(&notation),
                "the form names the original: {form}"
            );
        }

        // Linked both ways, journaled on the original.
        let listed = app.copies_of(&clerk, &doc).await.unwrap();
        assert_eq!(
            listed.iter().map(|c| &c.id).collect::<Vec<_>>(),
            vec![&copy.id]
        );
        assert_eq!(app.copy(&clerk, &copy.id).await.unwrap().original_id, doc);
        let actions: Vec<String> = app
            .store
            .journal(&clerk.agency_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.subject == doc.as_str() && e.action.starts_with("copy."))
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, vec!["copy.numbered", "copy.sealed"]);

        // The next copy takes the next number.
        let second = app
            .make_copy(&clerk, &doc, &order("sao_luc", ""))
            .await
            .unwrap();
        assert_eq!(second.number, 2);
        assert_eq!(second.notation, format!("2/SL-{}", agency.abbreviation));

        // TRÍCH SAO of page 2 of a three-page incoming document: that page and the form.
        let three = blob_file(&app, &pdf_of(3, 0, 0, ""), "cv-den.pdf", "application/pdf").await;
        let form = DocumentForm {
            doc_type: "cong-van".into(),
            subject: "Công văn đến ba trang".into(),
            ..Default::default()
        };
        let arrival = ArrivalForm {
            author_name: "Sở Tài chính".into(),
            notation: "45/STC-NS".into(),
            ..Default::default()
        };
        let incoming = app
            .register_incoming(&clerk, &form, &arrival, vec![three])
            .await
            .unwrap();
        let e = app
            .make_copy(&clerk, &incoming.id, &order("trich_sao", "4"))
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::CopyPages { ref count, .. }) if count == "3"),
            "{e:?}"
        );
        let extract = app
            .make_copy(&clerk, &incoming.id, &order("trich_sao", "2"))
            .await
            .unwrap();
        assert_eq!(extract.number, 3, "a refused copy takes no number");
        assert_eq!(extract.page_range, "2");
        assert_eq!(extract.page_count, Some(2), "page 2 and the form");
        let (_, pdf) = copy_bytes(&app, &clerk, &extract.id).await;
        check_seal(&app, &db, &pdf, "trich-sao.pdf");
        if let Some(pages) = page_texts(&db, &pdf, "trich-sao.pdf") {
            assert!(pages[0].contains("Trang 2"), "{pages:?}");
            assert!(!pages
                .iter()
                .any(|p| p.contains("Trang 1") || p.contains("Trang 3")));
            assert!(pages[1].contains("TRÍCH SAO"), "{pages:?}");
            assert!(pages[1].contains("45/STC-NS"), "{pages:?}");
        }

        // Scans: refused when not a PDF, under 200 dpi or grey — no number taken.
        let png = blob_file(&app, b"\x89PNG\r\n\x1a\nnot a pdf", "scan.png", "image/png").await;
        let e = app
            .make_copy_from_scan(&clerk, &incoming.id, &order("sao_y", ""), png)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::NotPdf { .. })),
            "{e:?}"
        );
        let fake = blob_file(
            &app,
            b"%PDF-1.7 and nothing else",
            "scan.pdf",
            "application/pdf",
        )
        .await;
        let e = app
            .make_copy_from_scan(&clerk, &incoming.id, &order("sao_y", ""), fake)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::NotPdf { .. })),
            "{e:?}"
        );
        let text_only = blob_file(&app, &pdf_of(1, 0, 0, ""), "text.pdf", "application/pdf").await;
        let e = app
            .make_copy_from_scan(&clerk, &incoming.id, &order("sao_y", ""), text_only)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ScanNoImage { page: 1 })),
            "{e:?}"
        );
        // A4 at 150 dpi: 1240 × 1754.
        let low = blob_file(
            &app,
            &pdf_of(2, 1240, 1754, "DeviceRGB"),
            "low.pdf",
            "application/pdf",
        )
        .await;
        let e = app
            .make_copy_from_scan(&clerk, &incoming.id, &order("sao_y", ""), low)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Invalid(Invalid::ScanResolution {
                    page: 1,
                    dpi: 150,
                    min: 200
                })
            ),
            "{e:?}"
        );
        // A4 at 200 dpi: 1654 × 2339.
        let grey = blob_file(
            &app,
            &pdf_of(1, 1654, 2339, "DeviceGray"),
            "grey.pdf",
            "application/pdf",
        )
        .await;
        let e = app
            .make_copy_from_scan(&clerk, &incoming.id, &order("sao_y", ""), grey)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ScanColour { page: 1 })),
            "{e:?}"
        );
        // The same pixels drawn two inches wide on the page: a picture, not a page scan.
        let page_scan = pdf_of(1, 1654, 2339, "DeviceRGB");
        let at = page_scan
            .windows(18)
            .position(|w| w == b"595 0 0 842 0 0 cm")
            .unwrap();
        let mut picture = page_scan.clone();
        picture[at..at + 18].copy_from_slice(b"144 0 0 144 0 0 cm");
        let picture = blob_file(&app, &picture, "picture.pdf", "application/pdf").await;
        let e = app
            .make_copy_from_scan(&clerk, &incoming.id, &order("sao_y", ""), picture)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ScanNoImage { page: 1 })),
            "{e:?}"
        );
        let scan = blob_file(&app, &page_scan, "scan.pdf", "application/pdf").await;
        let scan_sha = scan.blob.sha256.clone();
        let from_scan = app
            .make_copy_from_scan(&clerk, &incoming.id, &order("sao_y", ""), scan)
            .await
            .unwrap();
        assert_eq!(from_scan.number, 4, "refused scans take no number");
        assert_eq!(from_scan.source, "scan");
        assert_eq!(from_scan.source_sha256, scan_sha);
        assert_eq!(from_scan.page_count, Some(2));
        let (_, pdf) = copy_bytes(&app, &clerk, &from_scan.id).await;
        check_seal(&app, &db, &pdf, "scan-copy.pdf");

        // The register lists the year's copies by number.
        let register = app.copies_register(&clerk, year).await.unwrap();
        assert_eq!(
            register.iter().map(|c| c.number).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(app.copies_of(&clerk, &incoming.id).await.unwrap().len(), 2);
        db.cleanup().await;
    }
}

/// The TSA is down when the clerk copies: the copy keeps its number, failed, with the
/// reason; once the TSA is back the clerk seals it again — same number, sealed, journaled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_whose_seal_failed_is_sealed_again_under_its_number() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Seeded {
            app,
            officer,
            leader,
            clerk,
        } = seeded(&db).await;
        let doc = issued_document(&app, &officer, &leader, &clerk).await;

        // A paper original registered without a file: its copy needs a scan.
        let paper = app
            .register_incoming(
                &clerk,
                &DocumentForm {
                    doc_type: "cong-van".into(),
                    subject: "Công văn giấy".into(),
                    ..Default::default()
                },
                &ArrivalForm {
                    author_name: "Sở Tài chính".into(),
                    notation: "46/STC-NS".into(),
                    ..Default::default()
                },
                Vec::new(),
            )
            .await
            .unwrap();
        let e = app
            .make_copy(&clerk, &paper.id, &order("sao_y", ""))
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::CopyNeedsScan)),
            "{e:?}"
        );

        // Nothing listens on port 9: the time-stamp cannot be had.
        let down = app_with_tsa(&db, Some("http://127.0.0.1:9/tsa")).await;
        let e = down
            .make_copy(&clerk, &doc, &order("sao_y", ""))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("time-stamping"), "{e}");
        let failed = app.copies_of(&clerk, &doc).await.unwrap();
        assert_eq!(failed.len(), 1);
        let failed = failed.into_iter().next().unwrap();
        assert_eq!(failed.state, "failed");
        assert_eq!(failed.number, 1, "the number is taken and shown");
        assert!(failed.reason.contains("time-stamping"), "{}", failed.reason);
        assert!(copy_file_missing(&app, &clerk, &failed.id).await);

        // Only a clerk retries; the TSA is back.
        let e = app.retry_copy(&officer, &failed.id).await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let sealed = app.retry_copy(&clerk, &failed.id).await.unwrap();
        assert_eq!(sealed.state, "done", "{}", sealed.reason);
        assert_eq!(sealed.number, 1);
        assert_eq!(sealed.notation, failed.notation);
        assert_eq!(sealed.copied_on, failed.copied_on);
        let (_, pdf) = copy_bytes(&app, &clerk, &sealed.id).await;
        check_seal(&app, &db, &pdf, "sao-y-lai.pdf");
        // Done once: another retry is refused; the next copy takes number 2.
        let e = app.retry_copy(&clerk, &sealed.id).await.unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        let next = app
            .make_copy(&clerk, &doc, &order("sao_y", ""))
            .await
            .unwrap();
        assert_eq!(next.number, 2);
        let actions: Vec<String> = app
            .store
            .journal(&clerk.agency_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.subject == doc.as_str() && e.action.starts_with("copy."))
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "copy.numbered",
                "copy.failed",
                "copy.retried",
                "copy.sealed",
                "copy.numbered",
                "copy.sealed"
            ]
        );
        db.cleanup().await;
    }
}

/// Whether the copy has no file to download yet.
async fn copy_file_missing(app: &App, clerk: &Viewer, id: &str) -> bool {
    matches!(app.copy_file(clerk, id).await, Err(AppError::NotFound))
}

/// The server seals failed copies again by itself (issue 13 §7): while the TSA stays down
/// it tries after 5, 10, 20 and 40 minutes, then leaves the copy to a clerk; a copy left
/// "sealing" by a node that died is taken up when its lease ends and sealed, under its
/// number, the journal naming the clerk who made it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_seals_failed_and_abandoned_copies_again_by_itself() {
    use signet_app::copies::SEAL_LEASE_MS;
    use signet_app::testing::support::{app_with_tsa, TestClock};
    use signet_app::Clock;
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Seeded {
            app,
            officer,
            leader,
            clerk,
        } = seeded(&db).await;
        let doc = issued_document(&app, &officer, &leader, &clerk).await;
        let clock = TestClock::at(OffsetDateTime::now_utc());
        let down = app_with_tsa(&db, clock.clone(), Some("http://127.0.0.1:9/tsa")).await;
        let up = app_with_tsa(&db, clock.clone(), None).await;

        down.make_copy(&clerk, &doc, &order("sao_y", ""))
            .await
            .unwrap_err();
        let id = app.copies_of(&clerk, &doc).await.unwrap()[0].id.clone();
        assert_eq!(up.retry_due_copies().await.unwrap(), 0, "not due yet");
        let mut waits = Vec::new();
        loop {
            let c = app.copy(&clerk, &id).await.unwrap();
            assert_eq!(c.state, "failed");
            let Some(at) = c.retry_at_ms else { break };
            waits.push((at - clock.now_ms()) / 60_000);
            clock.advance_ms(at - clock.now_ms());
            assert_eq!(down.retry_due_copies().await.unwrap(), 1);
        }
        assert_eq!(waits, [5, 10, 20, 40], "minutes between attempts");
        let given_up = app.copy(&clerk, &id).await.unwrap();
        assert_eq!(given_up.attempts, 5);
        clock.advance_ms(24 * 3600 * 1000);
        assert_eq!(
            up.retry_due_copies().await.unwrap(),
            0,
            "a clerk decides now"
        );
        let sealed = up.retry_copy(&clerk, &id).await.unwrap();
        assert_eq!((sealed.state.as_str(), sealed.number), ("done", 1));
        assert_eq!(sealed.retry_at_ms, None);

        // A node numbered copy 2 and died before sealing it.
        let source = app
            .store
            .current_file(&clerk.agency_id, &doc)
            .await
            .unwrap()
            .unwrap();
        let agency = app.store.agency(&clerk.agency_id).await.unwrap();
        let now = clock.now_ms();
        let copied_on = signet_app::clock::vietnam_date_ms(now);
        let new = signet_store::copies::NewCopy {
            agency_id: &clerk.agency_id,
            original_id: &doc,
            kind: CopyKind::SaoY,
            year: clock.now().year(),
            copied_on: &copied_on,
            source: "electronic",
            page_range: "",
            recipients: "Sở Nội vụ",
            source_sha256: &source.sha256,
            actor: &clerk.person_id,
            at_ms: now,
            lease_until_ms: now + SEAL_LEASE_MS,
        };
        let abandoned = app
            .store
            .reserve_copy(&new, |n| Ok(format!("{n}/SY-{}", agency.abbreviation)))
            .await
            .unwrap();
        assert_eq!(up.retry_due_copies().await.unwrap(), 0, "its lease runs");
        clock.advance_ms(SEAL_LEASE_MS);
        assert_eq!(up.retry_due_copies().await.unwrap(), 1);
        let taken_up = app.copy(&clerk, &abandoned.id).await.unwrap();
        assert_eq!((taken_up.state.as_str(), taken_up.number), ("done", 2));
        assert_eq!(taken_up.attempts, 2);
        let (_, pdf) = copy_bytes(&app, &clerk, &abandoned.id).await;
        check_seal(&app, &db, &pdf, "sao-y-tiep.pdf");
        let retried: Vec<String> = app
            .store
            .journal(&clerk.agency_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "copy.retried")
            .map(|e| e.actor)
            .collect();
        assert_eq!(
            retried.len(),
            6,
            "four automatic retries, one by the clerk, one taken up"
        );
        assert!(retried.iter().all(|a| a == clerk.person_id.as_str()));
        db.cleanup().await;
    }
}
