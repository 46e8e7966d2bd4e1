//! What the agent did, for the user: a line on its terminal for every request that matters,
//! and `DATA/agent.log` (JSON lines). The PIN is never part of either.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::SignSummary;

pub(crate) struct Journal {
    file: PathBuf,
    lock: Mutex<()>,
}

impl Journal {
    pub(crate) fn new(data_dir: &Path) -> Journal {
        Journal {
            file: data_dir.join("agent.log"),
            lock: Mutex::new(()),
        }
    }

    /// Appends one entry: `event`, the time, and `fields` (an object).
    pub(crate) fn record(&self, now: OffsetDateTime, event: &str, fields: serde_json::Value) {
        let mut entry = serde_json::json!({
            "time": now.format(&Rfc3339).unwrap_or_default(),
            "event": event,
        });
        if let (Some(e), serde_json::Value::Object(f)) = (entry.as_object_mut(), fields) {
            e.extend(f);
        }
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .and_then(|mut f| writeln!(f, "{entry}"));
        if let Err(e) = written {
            tracing::warn!("cannot write {}: {e}", self.file.display());
        }
    }
}

/// Text from a web page, made safe for a terminal: no control characters (escape sequences
/// could rewrite what the user sees), and at most `max` characters.
pub(crate) fn printable(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// The lines shown on the agent's terminal for a sign request.
pub(crate) fn describe(s: &SignSummary) -> String {
    let mut out = format!(
        "Sign request from {}{}: {} signature(s) with {} ({})",
        printable(&s.origin, 200),
        s.origin_label
            .as_deref()
            .map(|l| format!(" \"{}\"", printable(l, 100)))
            .unwrap_or_default(),
        s.count,
        printable(&s.subject, 200),
        printable(&s.certificate_id, 120),
    );
    for d in &s.documents {
        out.push_str(&format!(
            "\n  - {}: {}",
            printable(&d.notation, 60),
            printable(&d.subject, 160)
        ));
    }
    out
}
