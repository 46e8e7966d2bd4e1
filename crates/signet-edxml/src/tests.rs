//! Packets end to end: leniency, refusals, status codes, zipped attachments, the legacy SOAP
//! status, build → read round trips and signatures.
// Keys come from the operating system's random source, as in every test.
#![allow(clippy::disallowed_types)]

use base64::Engine;
use signet_pki::{HolderKey, Profile, Subject};
use signet_signers::SoftwareKey;
use time::macros::datetime;

use crate::attach::tests::zip_one;
use crate::*;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn read_str(xml: &str) -> Result<(Packet, Vec<File>), EdxmlError> {
    read(xml.as_bytes(), &Limits::default())
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// A document packet in the shape of the QCVN samples (prefixed children).
fn sample(attachment_b64: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:OrganName>UBND tỉnh Nghệ An</edXML:OrganName></edXML:From>
        <edXML:To><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName></edXML:To>
        <edXML:To><edXML:OrganId>000.00.14.H41</edXML:OrganId><edXML:OrganName>Sở TTTT</edXML:OrganName></edXML:To>
        <edXML:Code><edXML:CodeNumber>15</edXML:CodeNumber><edXML:CodeNotation>UBND-VP</edXML:CodeNotation></edXML:Code>
        <edXML:PromulgationInfo><edXML:Place>Nghệ An</edXML:Place><edXML:PromulgationDate>2024/05/20</edXML:PromulgationDate></edXML:PromulgationInfo>
        <edXML:DocumentType><edXML:Type>18</edXML:Type><edXML:TypeDetail>0</edXML:TypeDetail><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
        <edXML:Subject>V/v báo cáo &amp; tổng hợp</edXML:Subject>
        <edXML:SignerInfo><edXML:Competence/><edXML:Position>Chủ tịch</edXML:Position><edXML:FullName>Nguyễn Văn A</edXML:FullName></edXML:SignerInfo>
        <edXML:DueDate>2024/06/01</edXML:DueDate>
        <edXML:OtherInfo><edXML:Priority>1</edXML:Priority></edXML:OtherInfo>
        <edXML:SteeringType>0</edXML:SteeringType>
        <edXML:DocumentId>000.00.00.H41,2024/05/20,15/UBND-VP</edXML:DocumentId>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:Timestamp>2024/05/20 10:00:00</edXML:Timestamp></edXML:TraceHeader></edXML:TraceHeaderList>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:ABC-1" xlink:role="XLinkRole" xlink:type="simple">
          <edXML:Description>cv</edXML:Description><edXML:AttachmentName>cv.pdf</edXML:AttachmentName>
          <edXML:ContentType>application/pdf</edXML:ContentType><edXML:ContentId>cid:ABC-1</edXML:ContentId>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentType>application/pdf</ContentType><ContentId>ABC-1</ContentId><Description/>
      <ContentTransferEncoded>{attachment_b64}</ContentTransferEncoded>
      <AttachmentName>cv.pdf</AttachmentName>
    </Attachment>
  </AttachmentEncoded>
</edXML>"#
    )
}

#[test]
fn reads_the_sample_shape() {
    let file = b"%PDF-1.7 a small file";
    let (p, files) = read_str(&sample(&B64.encode(file))).unwrap();
    assert_eq!(p.kind, Kind::Document);
    assert_eq!(p.document_id, "000.00.00.H41,2024/05/20,15/UBND-VP");
    assert_eq!(p.from.organ_id, "000.00.00.H41");
    assert_eq!(p.to.len(), 2);
    assert_eq!(p.to[1].organ_name, "Sở TTTT");
    assert_eq!(p.code.notation, "UBND-VP");
    assert_eq!(p.promulgation.date, "2024-05-20");
    assert_eq!(p.document_type.name, "Công văn");
    assert_eq!(p.subject, "V/v báo cáo & tổng hợp");
    assert_eq!(p.due_date.as_deref(), Some("2024-06-01"));
    assert_eq!(p.priority, "1");
    assert_eq!(p.signer.full_name, "Nguyễn Văn A");
    assert!(p.status.is_none() && !p.signature.present && p.signature.valid.is_none());
    assert_eq!(p.attachments.len(), 1);
    let a = &p.attachments[0];
    assert_eq!((a.name.as_str(), a.size), ("cv.pdf", file.len() as u64));
    assert_eq!(a.sha256, sha256_hex(file));
    assert_eq!(files[0].bytes, file);
}

#[test]
fn lenient_unprefixed_reordered_with_extras() {
    // Unprefixed QCVN namespace, children in another order, unknown elements, the attachment
    // named only in the manifest, `cid:` on the attachment but not on the reference.
    let xml = r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
      <Vendor><Anything a="b">x</Anything></Vendor>
      <MessageHeader>
        <DocumentId>X,2024/01/02,1/QĐ</DocumentId>
        <Subject>Trích yếu</Subject>
        <Code><CodeNotation>QĐ</CodeNotation><Extra/><CodeNumber>1</CodeNumber></Code>
        <From><OrganName>A</OrganName><OrganId>X</OrganId></From>
        <PromulgationInfo><PromulgationDate>02/01/2024</PromulgationDate></PromulgationInfo>
      </MessageHeader></edXMLHeader>
      <edXMLBody><edXMLManifest><Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:f1">
        <ContentId>F1</ContentId><AttachmentName>a.txt</AttachmentName><ContentType>text/plain</ContentType>
      </Reference></edXMLManifest></edXMLBody></edXMLEnvelope>
      <AttachmentEncoded><Attachment><ContentTransferEncoded>aGVs
bG8=</ContentTransferEncoded><ContentId>cid:F1</ContentId></Attachment></AttachmentEncoded></edXML>"#;
    let (p, files) = read_str(xml).unwrap();
    assert_eq!(p.code.number, "1");
    assert_eq!(p.from.organ_id, "X");
    assert_eq!(p.promulgation.date, "2024-01-02");
    assert_eq!(p.due_date, None);
    assert_eq!(p.attachments[0].name, "a.txt");
    assert_eq!(p.attachments[0].content_type, "text/plain");
    assert_eq!(files[0].bytes, b"hello");
    // Another prefix for the QCVN namespace, and the envelope as the root.
    let xml = r#"<q:edXMLEnvelope xmlns:q="http://www.mic.gov.vn/TBT/QCVN_102_2016"><q:edXMLHeader><q:MessageHeader><q:From><q:OrganId>Y</q:OrganId></q:From></q:MessageHeader></q:edXMLHeader></q:edXMLEnvelope>"#;
    assert_eq!(read_str(xml).unwrap().0.from.organ_id, "Y");
}

#[test]
fn malformed_packets_are_refused() {
    let good = sample("aGVsbG8=");
    let cases: Vec<(String, &str)> = vec![
        (
            good.replace("báo cáo &amp; tổng", "báo cáo & tổng"),
            "unescaped &",
        ),
        (
            good.replace("báo cáo &amp; tổng", "báo cáo < tổng"),
            "malformed",
        ),
        (good[..good.len() / 2].to_owned(), "truncated"),
        (good[..good.len() - 3].to_owned(), "truncated"),
        (
            format!(
                "<!DOCTYPE edXML [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>{}",
                &good[good.find("<edXML ").unwrap()..]
            ),
            "DOCTYPE",
        ),
        ("<html><body/></html>".to_owned(), "root element is <html>"),
        ("<edXML><Nothing/></edXML>".to_owned(), "neither a document"),
        (String::new(), "truncated"),
        ("\u{0}\u{1}binary".to_owned(), "malformed"),
    ];
    for (xml, want) in cases {
        let e = read_str(&xml).unwrap_err().to_string();
        assert!(e.contains(want), "{want}: {e}");
        assert!(!e.contains('\n'), "one line: {e}");
    }
}

#[test]
fn attachments_over_the_limit_are_refused_while_streaming() {
    let big = "QUFB".repeat(300_000); // 900 kB decoded
    let xml = sample(&big);
    let limits = Limits {
        max_attachment: 100_000,
        ..Limits::default()
    };
    let e = inspect(xml.as_bytes(), &limits).unwrap_err().to_string();
    assert!(e.contains("larger than"), "{e}");
}

#[test]
fn element_floods_are_refused() {
    let many = "<x/>".repeat(200_000);
    let xml = format!("<edXML><edXMLEnvelope><edXMLHeader><MessageHeader>{many}</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>");
    let e = inspect(xml.as_bytes(), &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("elements"), "{e}");
    let sig = format!(
        "<edXML><MessageHeader/><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">{}</Signature></edXML>",
        "<a/>".repeat(20_000)
    );
    let e = inspect(sig.as_bytes(), &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("signature larger"), "{e}");
}

#[test]
fn zipped_attachment_in_a_packet() {
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n".repeat(500);
    let zipped = zip_one("cv.pdf", &pdf);
    let (p, files) = read_str(&sample(&B64.encode(&zipped))).unwrap();
    assert_eq!(p.attachments[0].size, pdf.len() as u64);
    assert_eq!(p.attachments[0].sha256, sha256_hex(&pdf));
    assert_eq!(files[0].bytes, pdf);
    // The streaming reader gives the same figures.
    let q = inspect(sample(&B64.encode(&zipped)).as_bytes(), &Limits::default()).unwrap();
    assert_eq!(q.attachments, p.attachments);
}

fn status_spec(code: &str) -> Spec {
    Spec {
        kind: Kind::Status,
        document_id: "000.00.00.H41,2024/05/20,15/UBND-VP".into(),
        from: Organ {
            organ_id: "000.00.00.G22".into(),
            organ_name: "Văn phòng Chính phủ".into(),
        },
        status: Some(Status {
            code: code.into(),
            description: format!("trạng thái {code}"),
            timestamp: "2024-05-21T09:15:00+07:00".into(),
            response_for: ResponseFor {
                organ_id: "000.00.00.H41".into(),
                code: "15/UBND-VP".into(),
                document_id: "000.00.00.H41,2024/05/20,15/UBND-VP".into(),
                promulgation_date: "2024-05-20".into(),
            },
        }),
        ..Spec::default()
    }
}

#[test]
fn every_status_code_round_trips() {
    let now = datetime!(2024-05-21 02:15:00 UTC);
    for (code, _) in STATUS_CODES {
        let spec = status_spec(code);
        let bytes = build(&spec, &[], now).unwrap();
        let p = inspect(bytes.as_slice(), &Limits::default()).unwrap();
        assert_eq!(p.spec(), spec, "{code}");
    }
    for bad in ["07", "1x", ""] {
        let e = build(&status_spec(bad), &[], now).unwrap_err().to_string();
        assert!(e.contains("status code"), "{e}");
    }
}

#[test]
fn legacy_soap_status_is_read() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <SOAP-ENV:Header>
  <edXML:Status>
   <edXML:ResponseFor><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:Code>15/UBND-VP</edXML:Code>
    <edXML:PromulgationDate>20/05/2024</edXML:PromulgationDate><edXML:DocumentId>000.00.00.H41,2024/05/20,15/UBND-VP</edXML:DocumentId></edXML:ResponseFor>
   <edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:OrganName>VPCP</edXML:OrganName></edXML:From>
   <edXML:StatusCode>3</edXML:StatusCode><edXML:Description>Đã vào sổ</edXML:Description>
   <edXML:Timestamp>21/05/2024 09:15:00</edXML:Timestamp>
  </edXML:Status>
 </SOAP-ENV:Header>
 <SOAP-ENV:Body/>
</SOAP-ENV:Envelope>"#;
    let (p, _) = read_str(xml).unwrap();
    assert!(p.legacy_soap);
    assert_eq!(p.kind, Kind::Status);
    let s = p.status.unwrap();
    assert_eq!(s.code, "03");
    assert_eq!(s.timestamp, "2024-05-21T09:15:00+07:00");
    assert_eq!(s.response_for.promulgation_date, "2024-05-20");
    assert_eq!(p.document_id, s.response_for.document_id);
    // Another SOAP-looking root is still not a packet.
    let e = read_str("<S:Envelope xmlns:S=\"urn:other\"><Status/></S:Envelope>").unwrap_err();
    assert!(e.to_string().contains("root element"), "{e}");
}

fn document_spec() -> Spec {
    Spec {
        kind: Kind::Document,
        document_id: "000.00.00.H99,2024/07/15,123/QĐ-UBND".into(),
        from: Organ {
            organ_id: "000.00.00.H99".into(),
            organ_name: "Ủy ban nhân dân tỉnh Thử nghiệm".into(),
        },
        to: vec![Organ {
            organ_id: "000.00.01.H99".into(),
            organ_name: "Sở Nội vụ <&> \"x\"".into(),
        }],
        code: Code {
            number: "123".into(),
            notation: "QĐ-UBND".into(),
        },
        promulgation: Promulgation {
            place: "Thành phố".into(),
            date: "2024-07-15".into(),
        },
        document_type: DocumentType {
            kind: "18".into(),
            type_detail: "0".into(),
            name: "Quyết định".into(),
        },
        subject: "Về việc thử nghiệm\r\nhai dòng".into(),
        priority: "0".into(),
        due_date: Some("2026-11-25".into()),
        signer: SignerInfo {
            position: "Chủ tịch".into(),
            full_name: "Trần Văn B".into(),
        },
        status: None,
        business: Business::default(),
    }
}

#[test]
fn document_round_trip() {
    let spec = document_spec();
    let pdf = b"%PDF-1.4 content".to_vec();
    let files = [
        FileIn {
            name: "qd.pdf",
            content_type: "application/pdf",
            bytes: &pdf,
        },
        FileIn {
            name: "phụ lục.txt",
            content_type: "text/plain",
            bytes: b"",
        },
    ];
    let bytes = build(&spec, &files, datetime!(2024-07-15 01:00 UTC)).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text
        .contains("<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"));
    assert!(text.contains("xlink:href=\"cid:") && text.contains("<ContentId>cid:"));
    assert!(text.contains("<edXML:PromulgationDate>2024/07/15</edXML:PromulgationDate>"));
    let (p, got) = read(bytes.as_slice(), &Limits::default()).unwrap();
    assert_eq!(p.spec(), spec);
    assert_eq!(p.attachments.len(), 2);
    assert_eq!(p.attachments[0].sha256, sha256_hex(&pdf));
    assert_eq!(p.attachments[1].name, "phụ lục.txt");
    assert_eq!(got[0].bytes, pdf);
    // A status-only field on a document is refused.
    let mut bad = spec;
    bad.status = status_spec("01").status;
    assert!(build(&bad, &[], datetime!(2024-07-15 01:00 UTC)).is_err());
}

#[test]
fn recall_update_and_replace_round_trip() {
    let now = datetime!(2024-07-16 01:00 UTC);
    let pdf = b"%PDF-1.4 corrected".to_vec();
    let file = [FileIn {
        name: "qd.pdf",
        content_type: "application/pdf",
        bytes: &pdf,
    }];
    // A recall names the document by its own DocumentId and carries no file.
    let mut recall = document_spec();
    recall.business = Business {
        kind: BusinessKind::Recall,
        reason: "Sai thể thức & nội dung".into(),
        replaces: vec![],
    };
    let bytes = build(&recall, &[], now).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("<edXML:BussinessDocType>1</edXML:BussinessDocType>"));
    let p = inspect(bytes.as_slice(), &Limits::default()).unwrap();
    assert_eq!(p.spec(), recall);
    assert!(p.attachments.is_empty());
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["business"]["kind"], "recall");
    for (kind, code) in [(BusinessKind::Update, "2"), (BusinessKind::Replace, "3")] {
        let mut spec = document_spec();
        spec.document_id = "000.00.00.H99,2024/07/16,124/QĐ-UBND".into();
        spec.business = Business {
            kind,
            reason: String::new(),
            replaces: vec!["000.00.00.H99,2024/07/15,123/QĐ-UBND".into()],
        };
        let bytes = build(&spec, &file, now).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains(&format!(
            "<edXML:BussinessDocType>{code}</edXML:BussinessDocType>"
        )));
        assert!(text.contains("<edXML:ReplacementInfoList>"));
        let p = inspect(bytes.as_slice(), &Limits::default()).unwrap();
        assert_eq!(p.spec(), spec, "{code}");
    }
    // An ordinary packet keeps the published JSON shape: no "business" key.
    let plain = build(&document_spec(), &file, now).unwrap();
    let p = inspect(plain.as_slice(), &Limits::default()).unwrap();
    assert!(p.business.is_new());
    assert!(serde_json::to_value(&p).unwrap().get("business").is_none());
    // An unprefixed, reordered Bussiness from another sender is read too.
    let other = text_with_business(
        "<Bussiness><ReplacementInfoList><ReplacementInfo><OrganIdList/>\
         <DocumentId>X,2024/01/01,1/UBND</DocumentId></ReplacementInfo></ReplacementInfoList>\
         <BussinessDocType>3</BussinessDocType></Bussiness>",
    );
    let (p, _) = read_str(&other).unwrap();
    assert_eq!(p.business.kind, BusinessKind::Replace);
    assert_eq!(p.business.replaces, ["X,2024/01/01,1/UBND"]);
}

/// The sample packet with its trace header's business part replaced.
fn text_with_business(business: &str) -> String {
    let s = sample(&B64.encode(b"%PDF-1.4 x"));
    let start = s.find("<edXML:TraceHeaderList>").unwrap();
    let end = s.find("</edXML:TraceHeaderList>").unwrap();
    format!(
        "{}<edXML:TraceHeaderList>{business}{}",
        &s[..start],
        &s[end..]
    )
}

fn issue(key: HolderKey, name: &str) -> (SoftwareKey, Vec<u8>) {
    let now = datetime!(2024-01-01 00:00 UTC);
    let mut rng = signet_testkit_rng();
    let (mut ca, _, _) = signet_pki::Ca::init(
        "CA thử",
        "http://127.0.0.1:1",
        signet_pki::KeyAlg::EcdsaP256,
        now,
        &mut rng,
    )
    .unwrap();
    let subject = Subject {
        name: name.into(),
        agency_code: "000.00.00.H99".into(),
        ..Subject::default()
    };
    let (issued, key) = ca
        .issue_with_new_key_of(Profile::Organization, &subject, key, now, &mut rng)
        .unwrap();
    (
        SoftwareKey::from_pkcs8_der(&key.pkcs8_der).unwrap(),
        issued.der,
    )
}

fn signet_testkit_rng() -> signet_testkit::OsRng {
    signet_testkit::OsRng
}

/// xmlsec1's verdict on a packet with `cert`'s key; `None` without xmlsec1 (fails under CI).
fn xmlsec1_verifies(packet: &str, cert: &[u8]) -> Option<bool> {
    let xmlsec1 = signet_testkit::tool("xmlsec1")?;
    let tmp = signet_testkit::TempDir::new("edxml-xmlsec1");
    tmp.write("p.edxml", packet);
    tmp.write("cert.pem", signet_pki::pem("CERTIFICATE", cert));
    let o = signet_testkit::run(
        tmp.dir(),
        &xmlsec1,
        &[
            "--verify",
            "--pubkey-cert-pem",
            "cert.pem",
            "--enabled-key-data",
            "x509",
            "p.edxml",
        ],
    );
    Some(o.status.success())
}

#[test]
fn signatures_verify_and_break_on_any_change() {
    let now = datetime!(2024-07-15 01:00 UTC);
    let files = [FileIn {
        name: "qd.pdf",
        content_type: "application/pdf",
        bytes: b"%PDF-1.4 signed content",
    }];
    for (key, name) in [
        (HolderKey::EcdsaP256, "Ủy ban ECDSA"),
        (HolderKey::Rsa2048, "Ủy ban RSA"),
    ] {
        let (key, cert) = issue(key, name);
        let signed = build_signed(&document_spec(), &files, now, &key, &cert).unwrap();
        let p = inspect(signed.as_slice(), &Limits::default()).unwrap();
        let want = SignatureReport {
            present: true,
            valid: Some(true),
            signer: Some(name.into()),
            digest: Some("sha256".into()),
            certificate: Some(cert.clone()),
        };
        assert_eq!(p.signature, want);
        assert_eq!(p.spec(), document_spec());
        let text = String::from_utf8(signed).unwrap();
        assert_ne!(xmlsec1_verifies(&text, &cert), Some(false), "{name}");
        for (from, to) in [
            ("Trần Văn B", "Trần Văn C"),
            (
                "123/QĐ-UBND</edXML:DocumentId>",
                "124/QĐ-UBND</edXML:DocumentId>",
            ),
            ("<AttachmentName>qd.pdf", "<AttachmentName>qe.pdf"),
        ] {
            let tampered = text.replacen(from, to, 1);
            assert_ne!(tampered, text);
            let p = inspect(tampered.as_bytes(), &Limits::default()).unwrap();
            assert_eq!(p.signature.valid, Some(false), "{from}");
        }
        // The SignatureValue itself.
        let i = text.find("<SignatureValue>").unwrap() + 20;
        let mut t = text.into_bytes();
        t[i] = if t[i] == b'A' { b'B' } else { b'A' };
        let p = inspect(t.as_slice(), &Limits::default()).unwrap();
        assert_eq!(p.signature.valid, Some(false));
    }
}

#[test]
fn sha1_from_legacy_senders_is_read_and_reported() {
    let (key, cert) = issue(HolderKey::EcdsaP256, "Legacy");
    let spec = status_spec("01");
    let now = datetime!(2024-07-15 01:00 UTC);
    let form = dsig::Form {
        sha1: true,
        mode: c14n::Mode::Exclusive,
    };
    let signed = write::build_signed_as(&spec, &[], now, &key, &cert, form).unwrap();
    let p = inspect(signed.as_slice(), &Limits::default()).unwrap();
    assert_eq!(p.signature.valid, Some(true));
    assert_eq!(p.signature.digest.as_deref(), Some("sha1"));
    // Without the certificate, the signature cannot be judged.
    let text = String::from_utf8(signed).unwrap();
    let (a, b) = (
        text.find("<KeyInfo>").unwrap(),
        text.find("</KeyInfo>").unwrap() + 10,
    );
    let bare = format!("{}{}", &text[..a], &text[b..]);
    let p = inspect(bare.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(
        (p.signature.present, p.signature.valid, p.signature.signer),
        (true, None, None)
    );
}

#[test]
fn fuzz_entry_never_panics_on_prefixes() {
    let xml = sample("aGVsbG8=");
    for n in (0..xml.len()).step_by(97) {
        let _ = fuzz_inspect(&xml.as_bytes()[..n]);
    }
    assert!(fuzz_inspect(xml.as_bytes()).starts_with("ok:Document"));
}

#[test]
fn inclusive_c14n_from_legacy_senders_is_checked() {
    let (key, cert) = issue(HolderKey::EcdsaP256, "Inclusive");
    let now = datetime!(2024-07-15 01:00 UTC);
    let files = [FileIn {
        name: "a.txt",
        content_type: "text/plain",
        bytes: b"noi dung",
    }];
    let form = dsig::Form {
        sha1: false,
        mode: c14n::Mode::Inclusive,
    };
    let signed = write::build_signed_as(&document_spec(), &files, now, &key, &cert, form).unwrap();
    let text = String::from_utf8(signed).unwrap();
    assert!(text.contains("REC-xml-c14n-20010315"));
    let p = inspect(text.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(p.signature.valid, Some(true));
    for (from, to) in [
        ("thử nghiệm", "thứ nghiệm"),
        ("bm9pIGR1bmc=", "bm9pIGR1bmd="),
    ] {
        let tampered = text.replacen(from, to, 1);
        assert_ne!(tampered, text);
        let p = inspect(tampered.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(p.signature.valid, Some(false), "{from}");
    }
    // The referee: xmlsec1 checks our inclusive form (skipped without it, fails under CI).
    assert_ne!(xmlsec1_verifies(&text, &cert), Some(false));
    let changed = text.replacen("thử nghiệm", "thứ nghiệm", 1);
    assert_ne!(xmlsec1_verifies(&changed, &cert), Some(true));
}

#[test]
fn content_ids_match_in_every_spelling() {
    use crate::read::normalize_cid;
    for s in [
        "cid:ABC-1",
        "CID:abc-1",
        "<abc-1>",
        " cid:<ABC-1> ",
        "abc-1",
    ] {
        assert_eq!(normalize_cid(s), "abc-1", "{s}");
    }
    // The manifest names the file; the attachment only carries its id, spelled otherwise.
    let xml = sample("aGVsbG8=")
        .replace(
            "<ContentId>ABC-1</ContentId>",
            "<ContentId>&lt;abc-1&gt;</ContentId>",
        )
        .replace(
            "<AttachmentName>cv.pdf</AttachmentName>\n    </Attachment>",
            "</Attachment>",
        )
        .replace(
            "<ContentType>application/pdf</ContentType><ContentId>",
            "<ContentId>",
        );
    let attachment = &xml[xml.find("<AttachmentEncoded>").unwrap()..];
    assert!(!attachment.contains("AttachmentName") && !attachment.contains("ContentType"));
    assert!(attachment.contains("&lt;abc-1&gt;"));
    let (p, _) = read_str(&xml).unwrap();
    assert_eq!(p.attachments[0].name, "cv.pdf");
    assert_eq!(p.attachments[0].content_type, "application/pdf");
}

/// `inspect_bytes` computes one canonical form and one digest when the tail names them, and
/// reads as `inspect` does whatever the tail says — even when it lies.
#[test]
fn reading_in_memory_computes_what_the_signature_names_and_agrees() {
    use crate::dsig::Forms;
    let (key, cert) = issue(HolderKey::EcdsaP256, "In memory");
    let now = datetime!(2024-07-15 01:00 UTC);
    let files = [FileIn {
        name: "a.txt",
        content_type: "text/plain",
        bytes: b"noi dung",
    }];
    let same = |packet: &[u8]| {
        let full = inspect(packet, &Limits::default());
        let fast = crate::inspect_bytes(packet, &Limits::default());
        assert_eq!(format!("{fast:?}"), format!("{full:?}"));
        fast
    };
    for (mode, sha1) in [
        (c14n::Mode::Exclusive, false),
        (c14n::Mode::Exclusive, true),
        (c14n::Mode::Inclusive, false),
    ] {
        let form = dsig::Form { sha1, mode };
        let signed =
            write::build_signed_as(&document_spec(), &files, now, &key, &cert, form).unwrap();
        let exclusive = mode == c14n::Mode::Exclusive;
        assert_eq!(
            Forms::hinted(&signed),
            Some(Forms {
                exclusive,
                inclusive: !exclusive,
                sha1,
                sha256: !sha1,
            }),
            "{mode:?} sha1={sha1}"
        );
        let p = same(&signed).unwrap();
        assert_eq!(p.signature.valid, Some(true), "{mode:?} sha1={sha1}");

        // A changed byte of the content: invalid both ways.
        let text = String::from_utf8(signed.clone()).unwrap();
        let tampered = text.replacen("thử nghiệm", "thứ nghiệm", 1);
        assert_ne!(tampered, text);
        let p = same(tampered.as_bytes()).unwrap();
        assert_eq!(p.signature.valid, Some(false), "{mode:?} sha1={sha1}");

        // A comment in the tail naming other algorithms (comments are not signed): the guess
        // falls short, the packet is read again, the signature still verifies.
        let end = text.rfind("</").unwrap();
        let lying = format!(
            "{}<!-- SignedInfo {} {} -->{}",
            &text[..end],
            if exclusive {
                "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
            } else {
                "http://www.w3.org/2001/10/xml-exc-c14n#"
            },
            if sha1 {
                "http://www.w3.org/2001/04/xmlenc#sha256"
            } else {
                "http://www.w3.org/2000/09/xmldsig#sha1"
            },
            &text[end..]
        );
        let hinted = Forms::hinted(lying.as_bytes()).unwrap();
        assert_ne!(hinted.exclusive, exclusive);
        let p = same(lying.as_bytes()).unwrap();
        assert_eq!(p.signature.valid, Some(true), "{mode:?} sha1={sha1}");
    }
    // Unsigned packets and garbage: no guess, the same answer (or error) as inspect.
    assert_eq!(Forms::hinted(sample("aGVsbG8=").as_bytes()), None);
    same(sample("aGVsbG8=").as_bytes()).unwrap();
    assert!(same(b"<edXML><SignedInfo").is_err());
}
