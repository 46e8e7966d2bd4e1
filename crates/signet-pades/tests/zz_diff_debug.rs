//! Temporary: prints the diff analysis of DIFF_FILE from each revision.
#[test]
fn diff_debug() {
    let Ok(f) = std::env::var("DIFF_FILE") else {
        return;
    };
    let bytes = std::fs::read(&f).unwrap();
    let doc = signet_pdf::Document::parse(&bytes).unwrap();
    for r in doc.revisions() {
        eprintln!(
            "rev {} kind {:?} end {} defined {:?} freed {:?} size {:?}",
            r.index,
            r.kind,
            r.end,
            r.defined(),
            r.freed(),
            r.trailer.get(b"Size")
        );
    }
    let opts = signet_pades::Options::new(
        signet_pki::validation::TrustAnchors::new(),
        time::OffsetDateTime::UNIX_EPOCH,
    );
    if let Ok(o) = signet_pades::verify(&bytes, &opts) {
        for s in &o.report.signatures {
            eprintln!(
                "sig {} rev {} cov {:?} mod {:?} msgs {:?}",
                s.field,
                s.revision,
                s.coverage,
                s.modifications,
                s.messages.iter().map(|m| &m.en).collect::<Vec<_>>()
            );
        }
    }
    for base in 0..doc.revisions().len() {
        let a = signet_pades::diff::analyse(&doc, base);
        eprintln!("base {base}: {:?}", a);
    }
}

#[test]
fn obj_debug() {
    let (Ok(f), Ok(spec)) = (std::env::var("DIFF_FILE"), std::env::var("DIFF_OBJ")) else {
        return;
    };
    let bytes = std::fs::read(&f).unwrap();
    let doc = signet_pdf::Document::parse(&bytes).unwrap();
    // spec: "rev:num,num;rev:num"
    for part in spec.split(';') {
        let (rev, nums) = part.split_once(':').unwrap();
        let rev: usize = rev.parse().unwrap();
        for n in nums.split(',') {
            let n: u32 = n.parse().unwrap();
            for g in 0..2u16 {
                if let Ok(Some(o)) = doc.get_at(rev, signet_pdf::ObjRef::new(n, g)) {
                    let mut o = o;
                    if let signet_pdf::Object::Stream(s) = &mut o {
                        s.data.truncate(200);
                    }
                    eprintln!(
                        "@{rev} {n} {g}: {}",
                        String::from_utf8_lossy(&o.to_bytes())
                            .chars()
                            .take(1500)
                            .collect::<String>()
                    );
                }
            }
        }
        if nums.is_empty() {
            eprintln!(
                "trailer@{rev}: {}",
                String::from_utf8_lossy(
                    &signet_pdf::Object::Dictionary(doc.trailer_at(rev).clone()).to_bytes()
                )
            );
        }
    }
}

#[test]
fn reasons() {
    if std::env::var("DIFF_REASONS").is_err() {
        return;
    }
    let dir = std::path::PathBuf::from("/work/shared/corpus/pdf");
    let text = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    for l in text.lines() {
        let r: serde_json::Value = serde_json::from_str(l).unwrap();
        if r["record"] != "signature" || r["modification_level"] != "OTHER" {
            continue;
        }
        let f = r["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(f)).unwrap();
        let opts = signet_pades::Options::new(
            signet_pki::validation::TrustAnchors::new(),
            time::OffsetDateTime::UNIX_EPOCH,
        );
        let ours = signet_pades::verify(&bytes, &opts).ok().and_then(|o| {
            o.report
                .signatures
                .iter()
                .find(|s| s.field == r["field_name"].as_str().unwrap())
                .map(|s| {
                    s.messages
                        .iter()
                        .find(|m| m.en.contains("changed after signing"))
                        .map(|m| m.en.clone())
                        .unwrap_or(format!("{:?} {:?}", s.modifications, s.coverage))
                })
        });
        eprintln!(
            "{f} [{}]\n   ours: {:?}\n   hanko: {}",
            r["field_name"],
            ours,
            r["diff_problem"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect::<String>()
        );
    }
}
