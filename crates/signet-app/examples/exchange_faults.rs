//! The Rust half of `scripts/exchange-faults` (issue 14, "Proof under faults"): it prepares
//! the two agencies' deployments before the nodes start, and checks from their databases
//! once the exchange is quiet. The script does the rest (the nodes, the hubs, the faults).
//!
//! ```text
//! exchange_faults prepare --work DIR --sender-db URL --receiver-db URL --documents N
//! exchange_faults check   --work DIR --sender-db URL --receiver-db URL --documents N
//! ```
//!
//! `prepare` gives each deployment its own CA (`DIR/sender/ca`, `DIR/receiver/ca`) and the
//! demo province's directory, then has the sender's Ủy ban nhân dân (000.00.00.H99) issue N
//! documents of about 100 KB — the leader's signature and the agency's seal, as "Ban hành"
//! does — each addressed to the Sở Nội vụ (000.00.02.H99) of the receiving deployment, so
//! that N consignments wait in the sender's outbox.
//!
//! `check` reads both databases: every consignment arrived once at the receiver (one inbox
//! row per document, bound to the PDF the sender issued, one status 01 queued for it), and
//! every status 01 arrived back at the sender, recorded as verified, and verifies again here
//! (XML signature, signer chained to the receiver's CA and naming its agency, bound to the
//! SHA-256 of the document sent). Its last line:
//! `sent N, delivered N, lost 0, duplicated 0, statuses verified N`; exit status 1 when
//! anything is lost, duplicated or unverified.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use signet_app::ca_service::BuiltInCa;
use signet_app::exchange::send::binding;
use signet_app::exchange::trust::PacketTrust;
use signet_app::testing::chairman_key;
use signet_app::verification::Verifier;
use signet_app::{App, Clock, SystemClock};
use signet_core::person::Viewer;
use signet_core::{AgencyCode, DocumentId};
use signet_pades::sign::Pending;
use signet_pki::validation::TrustAnchors;
use signet_pki::RawSigner;
use signet_signers::SoftwareKey;
use signet_store::documents::{NewDocument, NewFile};
use signet_store::exchange::KIND_DOCUMENT;
use signet_store::{BlobStore, Store};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The sending agency (the province's people's committee) and the receiving one.
const SENDER: &str = "000.00.00.H99";
const RECEIVER: &str = "000.00.02.H99";
/// The size of each issued document.
const DOCUMENT_BYTES: usize = 100 * 1024;
/// Issuances run this many at a time (numbering is transactional; the seal is CPU-bound).
const ISSUING_AT_ONCE: usize = 4;
/// More rows than any run has.
const ALL: i64 = 100_000_000;

struct Args {
    command: String,
    work: PathBuf,
    sender_db: String,
    receiver_db: String,
    documents: usize,
}

fn args() -> Result<Args, Error> {
    let mut it = std::env::args().skip(1);
    let command = it
        .next()
        .ok_or("usage: exchange_faults prepare|check --work DIR ...")?;
    let mut a = Args {
        command,
        work: PathBuf::new(),
        sender_db: String::new(),
        receiver_db: String::new(),
        documents: 10_000,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--work" => a.work = PathBuf::from(value),
            "--sender-db" => a.sender_db = value,
            "--receiver-db" => a.receiver_db = value,
            "--documents" => a.documents = value.parse()?,
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    if a.work.as_os_str().is_empty() || a.sender_db.is_empty() || a.receiver_db.is_empty() {
        return Err("--work, --sender-db and --receiver-db are required".into());
    }
    Ok(a)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    let result = match args() {
        Ok(a) if a.command == "prepare" => prepare(&a).await.map(|()| true),
        Ok(a) if a.command == "check" => check(&a).await,
        Ok(a) => Err(format!("unknown command {}", a.command).into()),
        Err(e) => Err(e),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("exchange_faults: {e}");
            ExitCode::from(2)
        }
    }
}

/// One deployment's application: its database, its file store, its CA (made on first use).
async fn deployment(work: &Path, side: &str, db: &str) -> Result<App, Error> {
    let dir = work.join(side);
    let ca_dir = dir.join("ca");
    if !signet_app::ca_dir::exists(&ca_dir) {
        signet_app::ca_dir::init(
            &ca_dir,
            &format!("CA thử nghiệm ({side})"),
            "http://127.0.0.1:9",
            signet_pki::KeyAlg::EcdsaP256,
            None,
            SystemClock.now(),
        )?;
    }
    let store = Store::open(db, 8).await?;
    let blobs = BlobStore::open(dir.join("files"), 64 << 20).await?;
    let mut anchors = TrustAnchors::new();
    anchors.add_pem_or_der(&std::fs::read(ca_dir.join("root.pem"))?)?;
    Ok(App::new(store, blobs, Arc::new(SystemClock))
        .with_signing(signet_app::web_signing::Setup::default())
        .with_ca(BuiltInCa::open(&ca_dir)?)
        .with_verifier(Verifier::new(anchors, false)))
}

async fn viewer(app: &App, username: &str) -> Result<Viewer, Error> {
    let p = app.store.person_by_username(username).await?;
    Ok(Viewer {
        person_id: p.id,
        agency_id: p.agency_id,
        roles: p.roles,
    })
}

async fn prepare(a: &Args) -> Result<(), Error> {
    let receiver = deployment(&a.work, "receiver", &a.receiver_db).await?;
    receiver.seed_demo().await?;
    receiver.store.close().await;
    let sender = deployment(&a.work, "sender", &a.sender_db).await?;
    sender.seed_demo().await?;
    let people = Arc::new(Issuers {
        officer: viewer(&sender, "chuyenvien.vp").await?,
        leader: viewer(&sender, "lanhdao.ubnd").await?,
        clerk: viewer(&sender, "vanthu.ubnd").await?,
        key: chairman_key(&sender, Some("Chủ tịch")).await?,
    });
    let started = std::time::Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(1));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..ISSUING_AT_ONCE {
        let (app, people, next, n) = (sender.clone(), people.clone(), next.clone(), a.documents);
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i > n {
                    return Ok::<(), Error>(());
                }
                issue_one(&app, &people, i).await?;
                if i % 100 == 0 {
                    eprintln!("prepared {i} of {n} documents");
                }
            }
        });
    }
    while let Some(r) = workers.join_next().await {
        r??;
    }
    println!(
        "prepared {} issued documents for {RECEIVER} in {:.1} s",
        a.documents,
        started.elapsed().as_secs_f64()
    );
    sender.store.close().await;
    Ok(())
}

/// Who drafts, signs and issues in the sending agency, and the leader's signing key.
struct Issuers {
    officer: Viewer,
    leader: Viewer,
    clerk: Viewer,
    key: (SoftwareKey, Vec<Vec<u8>>),
}

/// Document `i`: drafted, submitted, signed by the leader, addressed to the receiver and
/// issued with the seal — its consignment written to the outbox by the issue.
async fn issue_one(app: &App, p: &Issuers, i: usize) -> Result<(), Error> {
    let subject = format!("Về việc thử liên thông văn bản dưới lỗi mạng, số {i}");
    let mut w = app.blobs.writer().await?;
    w.write(&document_pdf(i)).await?;
    let blob = w.finish().await?;
    let new = NewDocument {
        agency_id: p.officer.agency_id.clone(),
        doc_type: signet_core::document::DocumentType::CongVan,
        subject,
        urgency: Default::default(),
        secrecy: Default::default(),
        signer_name: String::new(),
        signer_position: String::new(),
        pages: Some(1),
        recipients: String::new(),
        due_on: None,
        drafting_unit_id: app.store.person(&p.officer.person_id).await?.unit_id,
        created_by: p.officer.person_id.clone(),
        files: vec![NewFile {
            blob,
            file_name: format!("du-thao-{i}.pdf"),
            content_type: "application/pdf".into(),
            kind: "main".into(),
        }],
    };
    let d = app.store.insert_draft(&new, app.clock.now_ms()).await?;
    app.submit(&p.officer, &d.id).await?;
    leader_signs(app, &p.leader, &d.id, &p.key).await?;
    app.set_recipients(&p.clerk, &d.id, &[RECEIVER.to_owned()])
        .await?;
    let issued = app.issue_step(&p.clerk, &d.id).await?;
    if issued.state.code() != "issued" {
        return Err(format!("document {i} is {} after issue", issued.state.code()).into());
    }
    Ok(())
}

/// The leader's signature as the signing agent makes it: prepared by the server, the
/// attributes signed by the device's key, completed by the server.
async fn leader_signs(
    app: &App,
    leader: &Viewer,
    doc: &DocumentId,
    (key, chain): &(SoftwareKey, Vec<Vec<u8>>),
) -> Result<(), Error> {
    let p = app
        .prepare_signature(leader, doc, "agent", chain.clone())
        .await?;
    let row = app
        .store
        .pending_signature(&leader.agency_id, &p.pending_id)
        .await?;
    let pending: Pending = serde_json::from_str(&row.state_json)?;
    let sig = key.sign(&pending.to_be_signed)?;
    app.complete_signature(leader, &p.pending_id, &sig, chain)
        .await?;
    Ok(())
}

/// A one-page draft with the number and date fields the seal fills (as the demo's template
/// has), its content stream padded to about [`DOCUMENT_BYTES`] with text lines that differ
/// from one document to the next.
fn document_pdf(i: usize) -> Vec<u8> {
    let mut content = String::from(
        "BT /F1 11 Tf 56 800 Td (So:) Tj ET BT /F1 11 Tf 330 800 Td (Ngay ban hanh:) Tj ET\n",
    );
    content.push_str(&format!(
        "BT /F1 14 Tf 56 740 Td (Van ban thu lien thong so {i}) Tj ET\n"
    ));
    let mut line = 0usize;
    while content.len() < DOCUMENT_BYTES - 1500 {
        // Off the page: size without changing what is seen.
        content.push_str(&format!(
            "BT /F1 6 Tf 56 -{} Td (van ban {i} dong {line} {:016x}) Tj ET\n",
            100 + line % 500,
            (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ line as u64
        ));
        line += 1;
    }
    let field = |name: &str, rect: &str| {
        format!(
            "<< /FT /Tx /T ({name}) /Type /Annot /Subtype /Widget /Rect [{rect}] /P 3 0 R /F 4 \
             /DA (/Helv 11 Tf 0 g) /Ff 1 >>"
        )
    };
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 7 0 R] /DR << /Font << /Helv 8 0 R >> >> /DA (/Helv 11 Tf 0 g) >> >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 7 0 R] >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>".to_owned(),
        field(signet_app::web_signing::issue::NUMBER_FIELD, "80 792 300 812"),
        field(signet_app::web_signing::issue::DATE_FIELD, "410 792 560 812"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (k, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", k + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// What the check found.
#[derive(Default)]
struct Tally {
    sent: usize,
    delivered: usize,
    lost: usize,
    duplicated: usize,
    verified: usize,
}

async fn check(a: &Args) -> Result<bool, Error> {
    let sender = deployment(&a.work, "sender", &a.sender_db).await?;
    let receiver = deployment(&a.work, "receiver", &a.receiver_db).await?;
    let ubnd = sender
        .store
        .agency_by_code(&AgencyCode::parse(SENDER)?)
        .await?;
    let snv = receiver
        .store
        .agency_by_code(&AgencyCode::parse(RECEIVER)?)
        .await?;
    let mut t = Tally::default();
    let mut problems: Vec<String> = Vec::new();

    // The sender's outbox: one document consignment per issued document.
    let sent: Vec<_> = sender
        .store
        .consignment_log(&ubnd.id, None, ALL)
        .await?
        .into_iter()
        .filter(|c| c.kind == KIND_DOCUMENT && c.peer_code == RECEIVER)
        .collect();
    t.sent = sent.len();
    if t.sent != a.documents {
        problems.push(format!(
            "{} documents were to be sent, the outbox has {}",
            a.documents, t.sent
        ));
    }

    // The receiver's inbox and its statuses 01, by consignment.
    let inbox: Vec<_> = receiver
        .store
        .inbox(&snv.id, None, ALL)
        .await?
        .into_iter()
        .filter(|r| r.sender_code == SENDER)
        .collect();
    let mut by_consignment: HashMap<&str, Vec<&signet_store::exchange::Arrived>> = HashMap::new();
    let mut by_document: HashMap<&str, usize> = HashMap::new();
    for r in &inbox {
        by_consignment
            .entry(r.consignment_id.as_str())
            .or_default()
            .push(r);
        *by_document.entry(r.edxml_document_id.as_str()).or_default() += 1;
    }
    let mut arrivals_answered: HashMap<String, usize> = HashMap::new();
    for c in receiver.store.consignment_log(&snv.id, None, ALL).await? {
        if c.status_code.as_deref() == Some("01") {
            *arrivals_answered
                .entry(c.inbox_id.unwrap_or_default())
                .or_default() += 1;
        }
    }
    let mut duplicated: HashSet<String> = HashSet::new();
    for (doc, n) in &by_document {
        if *n > 1 {
            duplicated.insert(doc.to_string());
            problems.push(format!("{doc}: {n} incoming documents at the receiver"));
        }
    }
    let known: HashSet<&str> = sent.iter().map(|c| c.id.as_str()).collect();
    for r in &inbox {
        if !known.contains(r.consignment_id.as_str()) {
            duplicated.insert(r.edxml_document_id.clone());
            problems.push(format!(
                "{}: arrived under a consignment the sender never made ({})",
                r.edxml_document_id, r.consignment_id
            ));
        }
        let answered = arrivals_answered.get(&r.id).copied().unwrap_or(0);
        if answered != 1 {
            duplicated.insert(r.edxml_document_id.clone());
            problems.push(format!(
                "{}: {answered} statuses 01 queued by the receiver",
                r.edxml_document_id
            ));
        }
    }

    // Each sent document: arrived intact, and its 01 came back and verifies.
    let clerk = viewer(&sender, "vanthu.ubnd").await?;
    let trust = receiver_trust(&a.work)?;
    for c in &sent {
        let Some(doc_id) = c.document_id.clone() else {
            problems.push(format!("consignment {} has no document", c.id));
            continue;
        };
        let sha = sender
            .store
            .current_file(&ubnd.id, &doc_id)
            .await?
            .map(|f| f.sha256)
            .unwrap_or_default();
        match by_consignment.get(c.id.as_str()).map(Vec::as_slice) {
            Some([one]) if one.document_sha256 == sha => t.delivered += 1,
            Some([one]) => problems.push(format!(
                "consignment {} arrived with another document ({} instead of {sha})",
                c.id, one.document_sha256
            )),
            Some(_) => problems.push(format!("consignment {} arrived twice", c.id)),
            None => {
                t.lost += 1;
                problems.push(format!(
                    "consignment {} (document {doc_id}) never arrived: {} after {} attempt(s), {}",
                    c.id,
                    c.state,
                    c.attempts,
                    c.last_error.as_deref().unwrap_or("no error")
                ));
            }
        }
        let statuses: Vec<_> = sender
            .store
            .document_statuses(&ubnd.id, &doc_id)
            .await?
            .into_iter()
            .filter(|s| s.status_code == "01" && s.recipient_code == RECEIVER)
            .collect();
        if statuses.len() > 1 {
            duplicated.insert(doc_id.as_str().to_owned());
            problems.push(format!("document {doc_id}: {} statuses 01", statuses.len()));
        }
        let Some(s) = statuses.first() else {
            problems.push(format!("document {doc_id}: no status 01 came back"));
            continue;
        };
        let packet = sender
            .status_receipt(&clerk, &doc_id, &s.consignment_id)
            .await?;
        match verify_status(&packet, &sha, &trust) {
            Ok(()) if s.verified => t.verified += 1,
            Ok(()) => problems.push(format!(
                "document {doc_id}: its 01 verifies here but was recorded not verified: {}",
                s.reason
            )),
            Err(why) => problems.push(format!("document {doc_id}: its 01 does not verify: {why}")),
        }
    }
    t.duplicated = duplicated.len();

    for p in problems.iter().take(20) {
        println!("  {p}");
    }
    if problems.len() > 20 {
        println!("  … and {} more", problems.len() - 20);
    }
    println!(
        "sent {}, delivered {}, lost {}, duplicated {}, statuses verified {}",
        t.sent, t.delivered, t.lost, t.duplicated, t.verified
    );
    Ok(problems.is_empty()
        && t.lost == 0
        && t.duplicated == 0
        && t.sent == a.documents
        && t.delivered == t.sent
        && t.verified == t.sent)
}

/// Who may sign the receiver's statuses: its CA.
fn receiver_trust(work: &Path) -> Result<PacketTrust, Error> {
    let ca = work.join("receiver/ca");
    let mut trust = PacketTrust::default();
    trust
        .anchors
        .add_pem_or_der(&std::fs::read(ca.join("root.pem"))?)?;
    trust.intermediates = signet_pki::validation::certificates_from_pem_or_der(&std::fs::read(
        ca.join("issuing.pem"),
    )?)?;
    Ok(trust)
}

/// A status packet as the sender keeps it: a valid XML signature by the receiving agency
/// (chained to its CA), code 01, bound to the SHA-256 of the document that was sent.
fn verify_status(packet: &[u8], sent_sha256: &str, trust: &PacketTrust) -> Result<(), String> {
    let p = signet_edxml::inspect(packet, &Default::default()).map_err(|e| e.to_string())?;
    trust.check(&p.signature, RECEIVER, SystemClock.now())?;
    let status = p.status.ok_or("not a status packet")?;
    if status.code != "01" {
        return Err(format!("status {}, not 01", status.code));
    }
    if !status.description.contains(&binding(sent_sha256)) {
        return Err("bound to another document".into());
    }
    Ok(())
}
