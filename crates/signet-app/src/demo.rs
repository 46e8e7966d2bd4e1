//! The demo province: a fictional province (tỉnh Lạc Hồng, code H99, unused by any real
//! province) with its People's Committee, departments, districts and communes, their units,
//! people in every role, and a few documents in every state.

use signet_core::document::{DocumentType, Secrecy, Urgency};
use signet_core::person::Viewer;
use signet_core::{AgencyCode, Role};
use signet_store::directory::{NewAgency, NewPerson, Person};
use signet_store::documents::{NewDocument, NewFile};

use signet_pki::PERSON_VALIDITY;
use signet_store::certificates::DeviceKind;
use signet_store::directory::Agency;
use time::Duration;

use crate::auth::hash_password;
use crate::ca_dir::{pki_error, OsRng};
use crate::ca_service::BuiltInCa;
use crate::certificates::Holder;
use crate::{App, AppError};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Signet@2026";

struct AgencySeed {
    code: &'static str,
    name: &'static str,
    abbreviation: &'static str,
    /// Index of the parent in [`AGENCIES`].
    parent: Option<usize>,
    /// Username suffix of its people.
    slug: &'static str,
    units: &'static [(&'static str, &'static str)],
    /// (full name, title) of the leader and of the deputy.
    leaders: [(&'static str, &'static str); 2],
}

const AGENCIES: &[AgencySeed] = &[
    AgencySeed {
        code: "000.00.00.H99",
        name: "Ủy ban nhân dân tỉnh Lạc Hồng",
        abbreviation: "UBND",
        parent: None,
        slug: "ubnd",
        units: &[
            ("Văn phòng", "VP"),
            ("Phòng Tổng hợp", "TH"),
            ("Phòng Kinh tế", "KT"),
            ("Phòng Khoa giáo - Văn xã", "KGVX"),
        ],
        leaders: [
            ("Nguyễn Văn Hùng", "Chủ tịch"),
            ("Trần Thị Thu Hà", "Phó Chủ tịch"),
        ],
    },
    AgencySeed {
        code: "000.00.02.H99",
        name: "Sở Nội vụ tỉnh Lạc Hồng",
        abbreviation: "SNV",
        parent: Some(0),
        slug: "snv",
        units: &[
            ("Văn phòng Sở", "VP"),
            ("Phòng Tổ chức - Biên chế", "TCBC"),
            ("Phòng Cải cách hành chính", "CCHC"),
        ],
        leaders: [
            ("Lê Minh Đức", "Giám đốc"),
            ("Phạm Thị Ngọc Ánh", "Phó Giám đốc"),
        ],
    },
    AgencySeed {
        code: "000.00.03.H99",
        name: "Sở Tài chính tỉnh Lạc Hồng",
        abbreviation: "STC",
        parent: Some(0),
        slug: "stc",
        units: &[
            ("Văn phòng Sở", "VP"),
            ("Phòng Quản lý ngân sách", "QLNS"),
            ("Phòng Tài chính đầu tư", "TCĐT"),
        ],
        leaders: [
            ("Hoàng Văn Thắng", "Giám đốc"),
            ("Đỗ Thị Lan", "Phó Giám đốc"),
        ],
    },
    AgencySeed {
        code: "000.00.14.H99",
        name: "Sở Khoa học và Công nghệ tỉnh Lạc Hồng",
        abbreviation: "SKHCN",
        parent: Some(0),
        slug: "skhcn",
        units: &[
            ("Văn phòng Sở", "VP"),
            ("Phòng Chuyển đổi số", "CĐS"),
            ("Trung tâm Công nghệ thông tin", "TTCNTT"),
        ],
        leaders: [
            ("Vũ Quốc Khánh", "Giám đốc"),
            ("Bùi Thị Hồng Nhung", "Phó Giám đốc"),
        ],
    },
    AgencySeed {
        code: "000.00.05.H99",
        name: "Sở Giáo dục và Đào tạo tỉnh Lạc Hồng",
        abbreviation: "SGDĐT",
        parent: Some(0),
        slug: "sgddt",
        units: &[("Văn phòng Sở", "VP"), ("Phòng Giáo dục phổ thông", "GDPT")],
        leaders: [
            ("Đặng Văn Phúc", "Giám đốc"),
            ("Ngô Thị Mai", "Phó Giám đốc"),
        ],
    },
    AgencySeed {
        code: "000.00.31.H99",
        name: "Ủy ban nhân dân huyện Bình An",
        abbreviation: "UBND",
        parent: Some(0),
        slug: "binhan",
        units: &[
            ("Văn phòng HĐND và UBND", "VP"),
            ("Phòng Nội vụ", "NV"),
            ("Phòng Tài chính - Kế hoạch", "TCKH"),
        ],
        leaders: [
            ("Trịnh Văn Tuấn", "Chủ tịch"),
            ("Lý Thị Hương", "Phó Chủ tịch"),
        ],
    },
    AgencySeed {
        code: "000.00.32.H99",
        name: "Ủy ban nhân dân thị xã Hưng Phú",
        abbreviation: "UBND",
        parent: Some(0),
        slug: "hungphu",
        units: &[
            ("Văn phòng HĐND và UBND", "VP"),
            ("Phòng Quản lý đô thị", "QLĐT"),
        ],
        leaders: [
            ("Phan Thanh Sơn", "Chủ tịch"),
            ("Cao Thị Yến", "Phó Chủ tịch"),
        ],
    },
    AgencySeed {
        code: "000.01.31.H99",
        name: "Ủy ban nhân dân xã An Phú",
        abbreviation: "UBND",
        parent: Some(5),
        slug: "anphu",
        units: &[("Văn phòng - Thống kê", "VPTK")],
        leaders: [
            ("Đinh Văn Lợi", "Chủ tịch"),
            ("Mai Thị Thảo", "Phó Chủ tịch"),
        ],
    },
    AgencySeed {
        code: "000.02.31.H99",
        name: "Ủy ban nhân dân xã Tân Lập",
        abbreviation: "UBND",
        parent: Some(5),
        slug: "tanlap",
        units: &[("Văn phòng - Thống kê", "VPTK")],
        leaders: [
            ("Quách Văn Bình", "Chủ tịch"),
            ("Tạ Thị Nga", "Phó Chủ tịch"),
        ],
    },
    AgencySeed {
        code: "000.01.32.H99",
        name: "Ủy ban nhân dân phường Hưng Thịnh",
        abbreviation: "UBND",
        parent: Some(6),
        slug: "hungthinh",
        units: &[("Văn phòng - Thống kê", "VPTK")],
        leaders: [
            ("Lương Văn Hòa", "Chủ tịch"),
            ("Kiều Thị Oanh", "Phó Chủ tịch"),
        ],
    },
];

/// Officers and clerks: (role, username prefix, full name, title).
const STAFF: &[(Role, &str, &str, &str)] = &[
    (
        Role::Administrator,
        "quantri",
        "Quản trị hệ thống",
        "Quản trị viên",
    ),
    (Role::Clerk, "vanthu", "Nguyễn Thị Hồng", "Văn thư"),
    (Role::Officer, "chuyenvien", "Trần Văn Nam", "Chuyên viên"),
    (Role::Officer, "chuyenvien2", "Lê Thị Phương", "Chuyên viên"),
];

/// A one-page draft saying what it is, for the demo documents. It carries the placeholders
/// issuance fills (text fields `SoKyHieu` for the number and notation, `NgayBanHanh` for the
/// issue date, empty until then), as a draft made from the agency's template would.
pub fn sample_pdf(title: &str) -> Vec<u8> {
    let ascii: String = signet_core::text::fold(title)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect();
    let content = format!(
        "BT /F1 11 Tf 56 800 Td (So:) Tj ET BT /F1 11 Tf 330 800 Td (Ngay ban hanh:) Tj ET \
         BT /F1 14 Tf 56 740 Td ({ascii}) Tj ET"
    );
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
        field(crate::web_signing::issue::NUMBER_FIELD, "80 792 300 812"),
        field(crate::web_signing::issue::DATE_FIELD, "410 792 560 812"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
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

/// Demo logins to print at start-up: (username, role, agency).
pub fn demo_logins() -> Vec<(String, &'static str, &'static str)> {
    let p = AGENCIES.first().map_or("", |a| a.name);
    let s = AGENCIES.get(1).map_or("", |a| a.name);
    vec![
        ("quantri.ubnd".into(), "Quản trị / Administrator", p),
        ("vanthu.ubnd".into(), "Văn thư / Clerk", p),
        ("lanhdao.ubnd".into(), "Lãnh đạo / Leader", p),
        ("chuyenvien.vp".into(), "Chuyên viên / Officer", p),
        ("vanthu.snv".into(), "Văn thư / Clerk", s),
    ]
}

fn viewer(p: &Person) -> Viewer {
    Viewer {
        person_id: p.id.clone(),
        agency_id: p.agency_id.clone(),
        roles: p.roles.clone(),
    }
}

impl App {
    /// Seeds the demo province into an empty database. Returns false (and changes nothing)
    /// when the database already has agencies.
    pub async fn seed_demo(&self) -> Result<bool, AppError> {
        self.seed_demo_with(false).await
    }

    /// [`App::seed_demo`], with a few months of generated history in every agency when
    /// `history` is set (`signet demo` does; the test suites keep the plain province).
    pub async fn seed_demo_with(&self, history: bool) -> Result<bool, AppError> {
        if !self.store.agencies().await?.is_empty() {
            return Ok(false);
        }
        // One hash for every demo account: argon2id is slow on purpose.
        let hash = hash_password(DEMO_PASSWORD)?;
        let now = self.clock.now_ms();
        let mut ids: Vec<signet_core::AgencyId> = Vec::new();
        let mut province_people = Vec::new();
        let mut seeded = Vec::new();
        for (i, seed) in AGENCIES.iter().enumerate() {
            let new = NewAgency {
                code: AgencyCode::parse(seed.code)?,
                name: seed.name.to_owned(),
                abbreviation: seed.abbreviation.to_owned(),
                parent_id: seed.parent.and_then(|p| ids.get(p).cloned()),
                address: "Tỉnh Lạc Hồng".to_owned(),
            };
            let agency = self.store.insert_agency(&new, "system", now).await?;
            let mut units = Vec::new();
            for (name, abbr) in seed.units {
                units.push(
                    self.store
                        .insert_unit(&agency.id, name, abbr, "system", now)
                        .await?,
                );
            }
            let unit_of = |k: usize| units.get(k).or(units.first()).map(|u| u.id.clone());
            let mut people = Vec::new();
            for (role, prefix, name, title) in STAFF {
                let username = if i == 0 && *role == Role::Officer {
                    // The province's officers are named after their unit: chuyenvien.vp, chuyenvien2.th.
                    let k = usize::from(*prefix == "chuyenvien2");
                    let unit = units.get(k).map_or("vp".to_owned(), |u| {
                        signet_core::text::fold(&u.abbreviation)
                    });
                    format!("{prefix}.{unit}")
                } else {
                    format!("{prefix}.{}", seed.slug)
                };
                let unit = if *prefix == "chuyenvien2" {
                    unit_of(1)
                } else {
                    unit_of(0)
                };
                let person = NewPerson {
                    agency_id: agency.id.clone(),
                    unit_id: unit,
                    username,
                    full_name: (*name).to_owned(),
                    title: (*title).to_owned(),
                    email: String::new(),
                    roles: vec![*role],
                    password_hash: hash.clone(),
                };
                people.push(self.store.insert_person(&person, "system", now).await?);
            }
            for (k, (name, title)) in seed.leaders.iter().enumerate() {
                let username = if k == 0 {
                    format!("lanhdao.{}", seed.slug)
                } else {
                    format!("pholanhdao.{}", seed.slug)
                };
                let person = NewPerson {
                    agency_id: agency.id.clone(),
                    unit_id: None,
                    username,
                    full_name: (*name).to_owned(),
                    title: (*title).to_owned(),
                    email: String::new(),
                    roles: vec![Role::Leader],
                    password_hash: hash.clone(),
                };
                people.push(self.store.insert_person(&person, "system", now).await?);
            }
            if i == 0 {
                province_people = people.clone();
            }
            ids.push(agency.id.clone());
            seeded.push((agency, people));
        }
        if history {
            self.seed_history(&seeded).await?;
        }
        self.seed_documents(&province_people).await?;
        if let Some(ca) = self.ca.clone() {
            self.seed_certificates(&ca, &seeded).await?;
            if self.remote.enabled() {
                self.seed_remote_credentials(&seeded).await?;
            }
        }
        Ok(true)
    }

    /// A remote-signing credential for every leader (key in the HSM, person certificate from
    /// the demo CA, PIN = the demo password), so the phone flow works out of the box.
    async fn seed_remote_credentials(
        &self,
        seeded: &[(Agency, Vec<Person>)],
    ) -> Result<(), AppError> {
        let leaders = seeded
            .iter()
            .flat_map(|(_, people)| people)
            .filter(|p| p.roles.contains(&Role::Leader));
        let pin_hash = hash_password(DEMO_PASSWORD)?;
        for p in leaders {
            self.create_credential(p, pin_hash.clone(), "system")
                .await?;
        }
        Ok(())
    }

    /// An organization certificate per agency (its seal, kept as the demo's seal key so
    /// "Ban hành" seals: see [`crate::web_signing::seals`]) and the province leaders'
    /// personal certificates (USB tokens), so the certificate page is not empty. The
    /// Chairman's is dated back so it expires in 20 days: he sees the reminder, the
    /// administrator sees one "expiring". The leaders' keys are thrown away: a demo needs rows.
    async fn seed_certificates(
        &self,
        ca: &BuiltInCa,
        seeded: &[(Agency, Vec<Person>)],
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut rows = Vec::new();
        let mut seals = Vec::new();
        {
            let mut loaded = ca.lock().await?;
            let chain = crate::ca_dir::chain(&loaded.ca);
            let mut issue = |holder: &Holder,
                             agency: &Agency,
                             when: time::OffsetDateTime,
                             device: DeviceKind,
                             label: String| {
                let (issued, key) = loaded
                    .ca
                    .issue_with_new_key(holder.profile(), holder.subject(), when, &mut OsRng)
                    .map_err(pki_error)?;
                rows.push(holder.record(&agency.id, &issued, device, label)?);
                if device == DeviceKind::Remote {
                    let mut certs = vec![issued.der.clone()];
                    certs.extend(chain.iter().cloned());
                    seals.push((agency.code.as_str().to_owned(), key.pkcs8_der, certs));
                }
                Ok::<(), AppError>(())
            };
            let mut result = Ok(());
            for (i, (agency, people)) in seeded.iter().enumerate() {
                let holder = Holder::organization(agency);
                let label = "HSM tỉnh Lạc Hồng".to_owned();
                result =
                    result.and_then(|()| issue(&holder, agency, now, DeviceKind::Remote, label));
                let leaders = people.iter().filter(|p| p.roles.contains(&Role::Leader));
                for (k, p) in leaders.enumerate().filter(|_| i == 0) {
                    let when = if k == 0 {
                        now - PERSON_VALIDITY + Duration::days(20)
                    } else {
                        now
                    };
                    let label = format!("{:08X}", 0x4C48_0001 + k);
                    let holder = Holder::person(agency, p, None);
                    result = result
                        .and_then(|()| issue(&holder, agency, when, DeviceKind::Pkcs11, label));
                }
            }
            if let Err(e) = result {
                loaded.discard_changes();
                return Err(e);
            }
            loaded.save(ca.dir())?;
        }
        let dir = ca.dir().join("seals");
        for (code, pkcs8, certs) in &seals {
            crate::web_signing::seals::save_demo_key(&dir, code, pkcs8, certs)?;
        }
        for row in &rows {
            self.store
                .insert_certificate(row, "system", self.clock.now_ms())
                .await?;
        }
        Ok(())
    }

    async fn seed_documents(&self, people: &[Person]) -> Result<(), AppError> {
        let find = |prefix: &str| {
            people
                .iter()
                .find(|p| p.username.starts_with(prefix))
                .map(viewer)
        };
        let (Some(officer), Some(leader), Some(clerk)) =
            (find("chuyenvien."), find("lanhdao."), find("vanthu."))
        else {
            return Ok(());
        };
        let officer_unit = self.store.person(&officer.person_id).await?.unit_id;
        let drafts: &[(&str, DocumentType, Urgency, u8)] = &[
            (
                "Về việc triển khai ký số văn bản điện tử trong cơ quan nhà nước năm 2026",
                DocumentType::CongVan,
                Urgency::Normal,
                3,
            ),
            (
                "Kế hoạch chuyển đổi số tỉnh Lạc Hồng giai đoạn 2026–2030",
                DocumentType::KeHoach,
                Urgency::Normal,
                3,
            ),
            (
                "Quyết định phê duyệt danh mục mã định danh điện tử các cơ quan, đơn vị",
                DocumentType::QuyetDinh,
                Urgency::Urgent,
                3,
            ),
            (
                "Báo cáo tình hình gửi, nhận văn bản điện tử quý III",
                DocumentType::BaoCao,
                Urgency::Normal,
                2,
            ),
            (
                "Giấy mời dự hội nghị tập huấn sử dụng hệ thống quản lý văn bản",
                DocumentType::GiayMoi,
                Urgency::VeryUrgent,
                1,
            ),
            (
                "Tờ trình về việc bố trí kinh phí mua sắm thiết bị ký số",
                DocumentType::ToTrinh,
                Urgency::Normal,
                0,
            ),
        ];
        for (subject, doc_type, urgency, steps) in drafts {
            let pdf = sample_pdf(subject);
            let mut w = self.blobs.writer().await?;
            w.write(&pdf).await?;
            let blob = w.finish().await?;
            let files = vec![NewFile {
                blob,
                file_name: "du-thao.pdf".into(),
                content_type: "application/pdf".into(),
                kind: "main".into(),
            }];
            let new = NewDocument {
                agency_id: officer.agency_id.clone(),
                doc_type: *doc_type,
                subject: (*subject).into(),
                urgency: *urgency,
                secrecy: Secrecy::None,
                signer_name: "Nguyễn Văn Hùng".into(),
                signer_position: "Chủ tịch".into(),
                pages: Some(1),
                recipients: "Các sở, ban, ngành; UBND các huyện, thị xã".into(),
                due_on: None,
                drafting_unit_id: officer_unit.clone(),
                created_by: officer.person_id.clone(),
                files,
            };
            let d = self.store.insert_draft(&new, self.clock.now_ms()).await?;
            if *steps >= 1 {
                self.submit(&officer, &d.id).await?;
            }
            if *steps >= 2 {
                self.sign(&leader, &d.id).await?;
            }
            if *steps >= 3 {
                self.issue(&clerk, &d.id).await?;
            }
        }
        let incoming = [
            (
                "Văn phòng Chính phủ",
                "000.00.00.G22",
                "7816/VPCP-KSTT",
                "Về việc đẩy mạnh gửi, nhận văn bản điện tử qua Trục liên thông văn bản quốc gia",
            ),
            (
                "Bộ Nội vụ",
                "000.00.00.G12",
                "412/BNV-VTLTNN",
                "Hướng dẫn lập hồ sơ và nộp lưu hồ sơ điện tử vào Lưu trữ lịch sử",
            ),
            (
                "Bộ Khoa học và Công nghệ",
                "000.00.00.G14",
                "95/BKHCN-CĐS",
                "Về việc áp dụng tiêu chuẩn chữ ký số theo Thông tư 15/2025/TT-BKHCN",
            ),
        ];
        let today = crate::clock::iso_date(self.clock.today());
        for (author, code, notation, subject) in incoming {
            let form = crate::documents::DocumentForm {
                doc_type: "cong-van".into(),
                subject: subject.into(),
                ..Default::default()
            };
            let arrival = crate::documents::ArrivalForm {
                author_name: author.into(),
                author_code: code.into(),
                notation: notation.into(),
                issued_on: today.clone(),
                arrived_on: today.clone(),
            };
            self.register_incoming(&clerk, &form, &arrival, Vec::new())
                .await?;
        }
        Ok(())
    }
}
