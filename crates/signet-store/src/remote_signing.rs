//! Remote signing (CSC): credentials whose keys stay in the server's HSM, the signing
//! requests a holder answers on their phone, and the SADs that authorize exactly a set of
//! hashes, once each. Every authorization, signature, rejection and lockout is journaled in
//! the credential's agency, in the same transaction as the change.

use std::collections::HashSet;

use signet_core::ids::{AgencyId, PersonId};
use signet_core::journal::{Head, NewEntry};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::directory::{person_from_row, Person, PERSON_COLUMNS};
use crate::error::corrupt;
use crate::journal::details::{
    entry, Action, RemoteAuthorized, RemoteCredentialCreated, RemoteLock, RemoteRejected,
    RemoteRequested, RemoteSigned,
};
use crate::journal::{
    append, append_all, append_and_commit, claim_head, claim_heads, ROWS_PER_STATEMENT,
};
use crate::sql::{Builder, RowExt};
use crate::{new_id, Store, StoreError, Tx};

/// A remote-signing credential as stored (the key itself is in the HSM, under `key_label`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCredential {
    pub id: String,
    pub agency_id: AgencyId,
    pub holder_id: PersonId,
    pub label: String,
    /// DER certificates, the signer's first.
    pub chain: Vec<Vec<u8>>,
    pub key_label: String,
    /// The signature algorithm's name (`signet_pki::SignatureAlgorithm`'s, as the app spells it).
    pub key_algo: String,
    /// argon2id PHC string of the credential's PIN.
    pub pin_hash: String,
    pub failed_pin_count: i64,
    pub locked_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

/// A credential to record.
#[derive(Debug, Clone)]
pub struct NewRemoteCredential {
    pub agency_id: AgencyId,
    pub holder_id: PersonId,
    pub label: String,
    pub chain: Vec<Vec<u8>>,
    pub key_label: String,
    pub key_algo: String,
    pub pin_hash: String,
}

/// Where a signing request stands. `Expired` is never stored: a pending request past its
/// expiry reads as expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestState {
    Pending,
    Approved,
    Rejected,
    Expired,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Rejected, Self::Expired]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A signing request for a holder's phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    pub id: String,
    pub credential_id: String,
    pub requester_id: PersonId,
    /// What is signed: document notation and subject.
    pub label: String,
    pub application: String,
    pub hashes: Vec<Vec<u8>>,
    pub state: RequestState,
    /// The raw signatures, in the order of `hashes`, once approved.
    pub signatures: Option<Vec<Vec<u8>>>,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub answered_at_ms: Option<i64>,
}

impl SignRequest {
    /// The state at `now_ms`: a pending request past its expiry is expired.
    pub fn state_at(&self, now_ms: i64) -> RequestState {
        if self.state == RequestState::Pending && self.expires_at_ms <= now_ms {
            RequestState::Expired
        } else {
            self.state
        }
    }
}

/// A request to record.
#[derive(Debug, Clone)]
pub struct NewSignRequest {
    pub credential_id: String,
    pub requester_id: PersonId,
    pub label: String,
    pub application: String,
    pub hashes: Vec<Vec<u8>>,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// Signature activation data: the hashes it authorizes and those already signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sad {
    pub credential_id: String,
    pub hashes: Vec<Vec<u8>>,
    pub used: Vec<Vec<u8>>,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// What signing some hashes under a SAD needs to know of it
/// ([`Store::credential_with_sad`]): until when it lives, whether it authorizes them all and
/// whether one was signed already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SadCheck {
    pub expires_at_ms: i64,
    /// Every hash asked is one the SAD authorizes.
    pub authorized: bool,
    /// One of the hashes asked was signed under the SAD already.
    pub used: bool,
}

/// A remote-signing credential as signing with it needs it: whose it is and which key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialKey {
    pub id: String,
    pub agency_id: AgencyId,
    pub holder_id: PersonId,
    pub key_label: String,
    pub key_algo: String,
    pub locked_at_ms: Option<i64>,
}

/// The signed-in person of a session, and the credential and SAD they sign with
/// ([`Store::signer_with_credential`]); the credential `None` when unknown.
#[derive(Debug, Clone)]
pub struct Signer {
    pub person: Person,
    pub credential: Option<(CredentialKey, Option<SadCheck>)>,
}

/// Who did it, when, in which agency: what every journaled change here needs.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub agency_id: &'a AgencyId,
    pub person_id: &'a PersonId,
    pub at_ms: i64,
}

fn hex_list(items: &[Vec<u8>]) -> String {
    items.iter().map(hex::encode).collect::<Vec<_>>().join(",")
}

fn parse_hex_list(what: &str, s: &str) -> Result<Vec<Vec<u8>>, StoreError> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| hex::decode(x).map_err(|e| corrupt(what, e)))
        .collect()
}

/// The hashes of the SAD `token_hash` kept in `table` (its list, or its used set).
async fn hashes_of(
    store: &Store,
    table: &str,
    token_hash: &str,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let sql = format!("SELECT hash_hex FROM {table} WHERE token_hash = $1 ORDER BY hash_hex");
    sqlx::query(&sql)
        .bind(token_hash)
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| {
            let h: String = r.try_get("hash_hex")?;
            hex::decode(&h).map_err(|e| corrupt("SAD hash", e))
        })
        .collect()
}

/// The credential's columns signing needs and the SAD's answer for `hashes`: the asked
/// hashes counted among the SAD's and among its uses, so the read costs what is asked,
/// whatever the size of the SAD. The rest of the query joins `c` and `s` (see [`join_sad`]).
fn signing_columns(sad_token: &str, hashes: &[Vec<u8>]) -> Builder {
    let asked: Vec<String> = hashes.iter().map(hex::encode).collect();
    let mut q = Builder::new(
        "SELECT c.id AS credential_id, c.agency_id AS credential_agency_id, \
         c.holder_id AS credential_holder_id, c.key_label, c.key_algo, c.locked_at_ms, \
         s.expires_at_ms AS sad_expires_at_ms",
    );
    for (table, name) in [
        ("remote_sad_hashes", "sad_listed"),
        ("remote_sad_uses", "sad_used"),
    ] {
        q.push(&format!(
            ", (SELECT COUNT(*) FROM {table} x WHERE x.token_hash = "
        ))
        .text(&crate::sessions::token_hash(sad_token))
        .push(" AND x.hash_hex IN (")
        .texts(asked.iter().map(String::as_str))
        .push(&format!(")) AS {name}"));
    }
    q
}

/// Joins the SAD `sad_token` when it is one of the credential `c`'s.
fn join_sad(q: &mut Builder, credential_id: &str, sad_token: &str) {
    q.push("LEFT JOIN remote_sads s ON s.token_hash = ")
        .text(&crate::sessions::token_hash(sad_token))
        .push(" AND s.credential_id = ")
        .text(credential_id);
}

/// The credential and SAD of a row of [`signing_columns`] for `asked` distinct hashes.
fn signing_from_row(
    r: &AnyRow,
    asked: usize,
) -> Result<Option<(CredentialKey, Option<SadCheck>)>, StoreError> {
    let Some(id) = r.try_get::<Option<String>, _>("credential_id")? else {
        return Ok(None);
    };
    let credential = CredentialKey {
        id,
        agency_id: r.id("credential_agency_id")?,
        holder_id: r.id("credential_holder_id")?,
        key_label: r.try_get("key_label")?,
        key_algo: r.try_get("key_algo")?,
        locked_at_ms: r.try_get("locked_at_ms")?,
    };
    let sad = match r.try_get::<Option<i64>, _>("sad_expires_at_ms")? {
        None => None,
        Some(expires_at_ms) => Some(SadCheck {
            expires_at_ms,
            authorized: r.try_get::<i64, _>("sad_listed")? == asked as i64,
            used: r.try_get::<i64, _>("sad_used")? > 0,
        }),
    };
    Ok(Some((credential, sad)))
}

const CREDENTIAL_COLUMNS: &str =
    "id, agency_id, holder_id, label, chain_hex, key_label, key_algo, \
     pin_hash, failed_pin_count, locked_at_ms, created_at_ms";

fn credential_from_row(r: &AnyRow) -> Result<RemoteCredential, StoreError> {
    Ok(RemoteCredential {
        id: r.try_get("id")?,
        agency_id: r.id("agency_id")?,
        holder_id: r.id("holder_id")?,
        label: r.try_get("label")?,
        chain: parse_hex_list("certificate chain", &r.try_get::<String, _>("chain_hex")?)?,
        key_label: r.try_get("key_label")?,
        key_algo: r.try_get("key_algo")?,
        pin_hash: r.try_get("pin_hash")?,
        failed_pin_count: r.try_get("failed_pin_count")?,
        locked_at_ms: r.try_get("locked_at_ms")?,
        created_at_ms: r.try_get("created_at_ms")?,
    })
}

const REQUEST_COLUMNS: &str = "id, credential_id, requester_id, label, application, hashes_hex, \
     state, signatures_hex, created_at_ms, expires_at_ms, answered_at_ms";

fn request_from_row(r: &AnyRow) -> Result<SignRequest, StoreError> {
    let state: String = r.try_get("state")?;
    let signatures: Option<String> = r.try_get("signatures_hex")?;
    Ok(SignRequest {
        id: r.try_get("id")?,
        credential_id: r.try_get("credential_id")?,
        requester_id: r.id("requester_id")?,
        label: r.try_get("label")?,
        application: r.try_get("application")?,
        hashes: parse_hex_list("request hashes", &r.try_get::<String, _>("hashes_hex")?)?,
        state: RequestState::parse(&state).ok_or_else(|| corrupt("request state", &state))?,
        signatures: signatures
            .map(|s| parse_hex_list("signatures", &s))
            .transpose()?,
        created_at_ms: r.try_get("created_at_ms")?,
        expires_at_ms: r.try_get("expires_at_ms")?,
        answered_at_ms: r.try_get("answered_at_ms")?,
    })
}

/// A write transaction on the actor's agency, its journal head claimed first (that orders
/// the agency's writers, see the journal).
async fn begin(store: &Store, by: Actor<'_>) -> Result<(Tx, Head), StoreError> {
    let mut tx = store.begin().await?;
    let head = claim_head(&mut tx, by.agency_id).await?;
    Ok((tx, head))
}

/// Journals `action` about `subject` and commits: the end of every write here.
async fn journal<A: Action>(
    (tx, mut head): (Tx, Head),
    by: Actor<'_>,
    subject: &str,
    action: &A,
) -> Result<(), StoreError> {
    let e = entry(by.at_ms, by.person_id.as_str(), subject, action)?;
    append_and_commit(tx, by.agency_id, &mut head, e).await
}

/// One signature call's hashes to mark used under its SAD, and who made it (journaled in
/// the credential's agency).
#[derive(Debug, Clone)]
pub struct SadUse {
    pub token: String,
    pub credential_id: String,
    pub hashes: Vec<Vec<u8>>,
    pub agency_id: AgencyId,
    pub person_id: PersonId,
    pub at_ms: i64,
}

/// Marks the hashes of every use in `uses` used, in one statement per
/// [`ROWS_PER_STATEMENT`] hashes: a use is taken (true) when none of its hashes was signed
/// before — by an earlier call, an earlier use of the batch, or twice in itself — and then all
/// of them are marked; a refused use leaves nothing of its own marked.
///
/// `Marking::Counted` asks the database only how many rows it inserted: `None` when that is
/// fewer than asked (a hash signed before), and the caller starts over with
/// `Marking::Returning`, which reads back which rows went in — one answer per row, each a
/// wake-up of the waiting task, that the usual batch where every hash is new does without.
async fn mark_used(
    tx: &mut Tx,
    uses: &[SadUse],
    marking: Marking,
) -> Result<Option<Vec<bool>>, StoreError> {
    let rows = rows_to_mark(uses);
    let all: Vec<(&(String, String), i64)> = rows
        .iter()
        .zip(uses)
        .filter_map(|(own, u)| Some(own.as_ref()?.iter().map(|r| (r, u.at_ms))))
        .flatten()
        .collect();
    if marking == Marking::Counted {
        let mut inserted = 0;
        for chunk in all.chunks(ROWS_PER_STATEMENT) {
            let q = insert_uses(chunk, "");
            inserted += q.query().execute(&mut **tx).await?.rows_affected();
        }
        let every = usize::try_from(inserted).is_ok_and(|n| n == all.len());
        return Ok(every.then(|| rows.iter().map(Option::is_some).collect()));
    }
    let mut inserted = HashSet::new();
    for chunk in all.chunks(ROWS_PER_STATEMENT) {
        let q = insert_uses(chunk, " RETURNING token_hash, hash_hex");
        for row in q.query().fetch_all(&mut **tx).await? {
            inserted.insert((row.try_get("token_hash")?, row.try_get("hash_hex")?));
        }
    }
    unmark_refused(tx, rows, &inserted).await.map(Some)
}

/// How [`mark_used`] learns which rows it inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marking {
    Counted,
    Returning,
}

/// The rows (SAD token hash, hash in hex) of each use, or none for a use refused before
/// asking the database.
fn rows_to_mark(uses: &[SadUse]) -> Vec<Option<Vec<(String, String)>>> {
    // A hash an earlier use of the batch asked for is refused even if that use is refused
    // later by the database: two calls signing one hash at once is a client's mistake, and
    // the refused one may ask again.
    let mut seen = HashSet::new();
    uses.iter()
        .map(|u| {
            let token_hash = crate::sessions::token_hash(&u.token);
            let own: Vec<(String, String)> = u
                .hashes
                .iter()
                .map(|h| (token_hash.clone(), hex::encode(h)))
                .collect();
            let distinct: HashSet<&(String, String)> = own.iter().collect();
            let fresh = distinct.len() == own.len() && own.iter().all(|r| !seen.contains(r));
            if fresh {
                seen.extend(own.iter().cloned());
            }
            fresh.then_some(own)
        })
        .collect()
}

/// The statement inserting `rows` (each with its use's time) into the used set, skipping
/// those there already, then `tail`.
fn insert_uses(rows: &[(&(String, String), i64)], tail: &str) -> Builder {
    let mut q =
        Builder::new("INSERT INTO remote_sad_uses (token_hash, hash_hex, used_at_ms) VALUES ");
    q.rows(rows, |q, ((token_hash, hash_hex), at_ms)| {
        q.text(token_hash)
            .push(", ")
            .text(hash_hex)
            .push(", ")
            .int(*at_ms);
    });
    q.push(" ON CONFLICT (token_hash, hash_hex) DO NOTHING")
        .push(tail);
    q
}

/// Which uses are taken, given the rows `inserted`: a use some of whose rows were there
/// already is refused, and the rows it did insert are taken out again.
async fn unmark_refused(
    tx: &mut Tx,
    rows: Vec<Option<Vec<(String, String)>>>,
    inserted: &HashSet<(String, String)>,
) -> Result<Vec<bool>, StoreError> {
    let mut taken = Vec::with_capacity(rows.len());
    for own in rows {
        let Some(own) = own else {
            taken.push(false);
            continue;
        };
        if own.iter().all(|r| inserted.contains(r)) {
            taken.push(true);
            continue;
        }
        // Another call signed one of these first: undo this use's marks (rare).
        for (token_hash, hash_hex) in own.iter().filter(|r| inserted.contains(*r)) {
            sqlx::query("DELETE FROM remote_sad_uses WHERE token_hash = $1 AND hash_hex = $2")
                .bind(token_hash)
                .bind(hash_hex)
                .execute(&mut **tx)
                .await?;
        }
        taken.push(false);
    }
    Ok(taken)
}

impl Store {
    pub async fn insert_remote_credential(
        &self,
        c: &NewRemoteCredential,
        actor: &str,
        at_ms: i64,
    ) -> Result<RemoteCredential, StoreError> {
        let id = new_id();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &c.agency_id).await?;
        sqlx::query(&format!(
            "INSERT INTO remote_credentials ({CREDENTIAL_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, NULL, $9)"
        ))
        .bind(&id)
        .bind(c.agency_id.as_str())
        .bind(c.holder_id.as_str())
        .bind(&c.label)
        .bind(hex_list(&c.chain))
        .bind(&c.key_label)
        .bind(&c.key_algo)
        .bind(&c.pin_hash)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let action = RemoteCredentialCreated {
            holder: c.holder_id.as_str(),
            key_label: &c.key_label,
            key_algo: &c.key_algo,
        };
        let e = entry(at_ms, actor, &id, &action)?;
        append_and_commit(tx, &c.agency_id, &mut head, e).await?;
        self.remote_credential(&id).await
    }

    pub async fn remote_credential(&self, id: &str) -> Result<RemoteCredential, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM remote_credentials WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        credential_from_row(&row)
    }

    /// A person's credentials, oldest first.
    pub async fn remote_credentials_of(
        &self,
        holder: &PersonId,
    ) -> Result<Vec<RemoteCredential>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM remote_credentials WHERE holder_id = $1 \
             ORDER BY created_at_ms, id"
        ))
        .bind(holder.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(credential_from_row).collect()
    }

    /// An agency's locked credentials (the administrator's list to unlock).
    pub async fn locked_remote_credentials(
        &self,
        agency: &AgencyId,
    ) -> Result<Vec<RemoteCredential>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM remote_credentials \
             WHERE agency_id = $1 AND locked_at_ms IS NOT NULL ORDER BY locked_at_ms, id"
        ))
        .bind(agency.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(credential_from_row).collect()
    }

    /// Counts a wrong PIN; at `max` the credential locks (journaled). Returns the credential
    /// as it is now. A locked credential stays locked and counts no further.
    pub async fn record_wrong_pin(
        &self,
        credential_id: &str,
        max: i64,
        by: Actor<'_>,
    ) -> Result<RemoteCredential, StoreError> {
        let (mut tx, mut head) = begin(self, by).await?;
        let row = sqlx::query(
            "UPDATE remote_credentials SET failed_pin_count = failed_pin_count + 1 \
             WHERE id = $1 AND locked_at_ms IS NULL RETURNING failed_pin_count",
        )
        .bind(credential_id)
        .fetch_optional(&mut *tx)
        .await?;
        let count: Option<i64> = row.map(|r| r.try_get(0)).transpose()?;
        if let Some(count) = count.filter(|c| *c >= max) {
            sqlx::query("UPDATE remote_credentials SET locked_at_ms = $1 WHERE id = $2")
                .bind(by.at_ms)
                .bind(credential_id)
                .execute(&mut *tx)
                .await?;
            let action = RemoteLock {
                locked: true,
                failed_pins: count,
            };
            let e = entry(by.at_ms, by.person_id.as_str(), credential_id, &action)?;
            append(&mut tx, by.agency_id, &mut head, e).await?;
        }
        tx.commit().await?;
        self.remote_credential(credential_id).await
    }

    /// A right PIN: the count of wrong ones starts again (not journaled; the authorization
    /// that follows is).
    pub async fn reset_wrong_pins(&self, credential_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE remote_credentials SET failed_pin_count = 0 \
             WHERE id = $1 AND failed_pin_count <> 0",
        )
        .bind(credential_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Unlocks a locked credential of the actor's agency (journaled); `NotFound` when there
    /// is no such locked credential there.
    pub async fn unlock_remote_credential(
        &self,
        credential_id: &str,
        by: Actor<'_>,
    ) -> Result<(), StoreError> {
        let (mut tx, head) = begin(self, by).await?;
        let row = sqlx::query(
            "UPDATE remote_credentials SET locked_at_ms = NULL, failed_pin_count = 0 \
             WHERE id = $1 AND agency_id = $2 AND locked_at_ms IS NOT NULL \
             RETURNING failed_pin_count",
        )
        .bind(credential_id)
        .bind(by.agency_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if row.is_none() {
            return Err(StoreError::NotFound);
        }
        let action = RemoteLock {
            locked: false,
            failed_pins: 0,
        };
        journal((tx, head), by, credential_id, &action).await
    }

    /// Records a SAD (only the hash of its token) for `hashes` of a credential (journaled).
    pub async fn insert_sad(
        &self,
        token: &str,
        credential_id: &str,
        hashes: &[Vec<u8>],
        expires_at_ms: i64,
        by: Actor<'_>,
    ) -> Result<(), StoreError> {
        let (mut tx, head) = begin(self, by).await?;
        let token_hash = crate::sessions::token_hash(token);
        sqlx::query(
            "INSERT INTO remote_sads (token_hash, credential_id, created_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&token_hash)
        .bind(credential_id)
        .bind(by.at_ms)
        .bind(expires_at_ms)
        .execute(&mut *tx)
        .await?;
        for chunk in hashes.chunks(ROWS_PER_STATEMENT) {
            let mut q =
                Builder::new("INSERT INTO remote_sad_hashes (token_hash, hash_hex) VALUES ");
            q.rows(chunk, |q, h| {
                q.text(&token_hash).push(", ").text(&hex::encode(h));
            });
            q.query().execute(&mut *tx).await?;
        }
        let action = RemoteAuthorized {
            credential: credential_id,
            hashes: hashes.len(),
            expires_at_ms,
        };
        journal((tx, head), by, credential_id, &action).await
    }

    /// The SAD of `token`, with its used set; `None` when unknown.
    pub async fn sad(&self, token: &str) -> Result<Option<Sad>, StoreError> {
        let token_hash = crate::sessions::token_hash(token);
        let Some(row) = sqlx::query(
            "SELECT credential_id, created_at_ms, expires_at_ms \
             FROM remote_sads WHERE token_hash = $1",
        )
        .bind(&token_hash)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let hashes = hashes_of(self, "remote_sad_hashes", &token_hash).await?;
        let used = hashes_of(self, "remote_sad_uses", &token_hash).await?;
        Ok(Some(Sad {
            credential_id: row.try_get("credential_id")?,
            hashes,
            used,
            created_at_ms: row.try_get("created_at_ms")?,
            expires_at_ms: row.try_get("expires_at_ms")?,
        }))
    }

    /// The credential `credential_id` and, when `sad_token` is one of its SADs, what signing
    /// `hashes` (1 to a thousand) under it needs to know — in one read, whatever the number of
    /// hashes already signed under it. `NotFound` when the credential is unknown.
    pub async fn credential_with_sad(
        &self,
        credential_id: &str,
        sad_token: &str,
        hashes: &[Vec<u8>],
    ) -> Result<(CredentialKey, Option<SadCheck>), StoreError> {
        let mut q = signing_columns(sad_token, hashes);
        q.push(" FROM remote_credentials c ");
        join_sad(&mut q, credential_id, sad_token);
        q.push(" WHERE c.id = ").text(credential_id);
        let row = q.query().fetch_one(&self.pool).await?;
        signing_from_row(&row, hashes.len())?.ok_or(StoreError::NotFound)
    }

    /// [`Self::credential_with_sad`] for the person signed in with the session `token`
    /// live at `now_ms`, and that person — one read for what a remote signature call needs
    /// (CSC `signHash`, the hot path of a batch). `None` when the session is not live;
    /// the credential `None` when unknown.
    pub async fn signer_with_credential(
        &self,
        token: &str,
        now_ms: i64,
        credential_id: &str,
        sad_token: &str,
        hashes: &[Vec<u8>],
    ) -> Result<Option<Signer>, StoreError> {
        let mut q = signing_columns(sad_token, hashes);
        let people: Vec<String> = PERSON_COLUMNS
            .split(',')
            .map(|c| format!("p.{}", c.trim()))
            .collect();
        q.push(", ").push(&people.join(", "));
        q.push(" FROM sessions se JOIN people p ON p.id = se.person_id ");
        q.push("LEFT JOIN remote_credentials c ON c.id = ")
            .text(credential_id)
            .push(" ");
        join_sad(&mut q, credential_id, sad_token);
        q.push(" WHERE se.token_hash = ")
            .text(&crate::sessions::token_hash(token))
            .push(" AND se.expires_at_ms > ")
            .int(now_ms);
        let Some(row) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        Ok(Some(Signer {
            person: person_from_row(&row)?,
            credential: signing_from_row(&row, hashes.len())?,
        }))
    }

    /// Marks `hashes` used under the SAD `token` and journals their signature, all or
    /// nothing: a hash already used makes it a `Conflict` and nothing is marked.
    pub async fn use_sad(
        &self,
        token: &str,
        credential_id: &str,
        hashes: &[Vec<u8>],
        by: Actor<'_>,
    ) -> Result<(), StoreError> {
        let one = SadUse {
            token: token.to_owned(),
            credential_id: credential_id.to_owned(),
            hashes: hashes.to_vec(),
            agency_id: by.agency_id.clone(),
            person_id: by.person_id.clone(),
            at_ms: by.at_ms,
        };
        let mut outcomes = self.use_sads(std::slice::from_ref(&one)).await?;
        outcomes.pop().unwrap_or(Ok(()))
    }

    /// [`Self::use_sad`] for several signature calls at once, in one transaction (a group
    /// commit: one commit, and one claim of each agency's journal head, for all of them).
    /// Each use is all or nothing on its own: the outcome of each, in order, is `Ok` or a
    /// `Conflict` (a hash already used), and only the `Ok` ones are marked and journaled.
    /// An error of the whole transaction (`Err`) commits none of them.
    pub async fn use_sads(
        &self,
        uses: &[SadUse],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        // The entries are written before the transaction, which then holds the write lock
        // only for the statements.
        let entries = uses
            .iter()
            .map(|u| {
                let hex: Vec<String> = u.hashes.iter().map(hex::encode).collect();
                let action = RemoteSigned {
                    credential: &u.credential_id,
                    hashes: hex.iter().map(String::as_str).collect(),
                };
                entry(u.at_ms, u.person_id.as_str(), &u.credential_id, &action)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(outcomes) = self.try_use_sads(uses, &entries, Marking::Counted).await? {
            return Ok(outcomes);
        }
        // A hash of the batch was signed before: again, learning which use asked for it.
        self.try_use_sads(uses, &entries, Marking::Returning)
            .await?
            .ok_or_else(|| StoreError::Corrupt("hashes used not read back".into()))
    }

    /// [`Self::use_sads`] with their journal `entries`, in order; `None` (nothing committed)
    /// when `Marking::Counted` found a hash signed before.
    async fn try_use_sads(
        &self,
        uses: &[SadUse],
        entries: &[NewEntry],
        marking: Marking,
    ) -> Result<Option<Vec<Result<(), StoreError>>>, StoreError> {
        let mut tx = self.begin().await?;
        let mut agencies: Vec<&AgencyId> = uses.iter().map(|u| &u.agency_id).collect();
        agencies.sort();
        agencies.dedup();
        let mut heads = claim_heads(&mut tx, &agencies).await?;
        let Some(taken) = mark_used(&mut tx, uses, marking).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let mut outcomes = Vec::with_capacity(uses.len());
        let mut journaled = Vec::new();
        for ((u, e), taken) in uses.iter().zip(entries).zip(taken) {
            if taken {
                journaled.push((&u.agency_id, e.clone()));
                outcomes.push(Ok(()));
            } else {
                outcomes.push(Err(StoreError::Conflict(
                    "hash already signed with this SAD".into(),
                )));
            }
        }
        append_all(&mut tx, &mut heads, journaled).await?;
        tx.commit().await?;
        Ok(Some(outcomes))
    }

    /// Ends a SAD now (its successor replaces it: extendTransaction).
    pub async fn expire_sad(&self, token: &str, at_ms: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE remote_sads SET expires_at_ms = $1 WHERE token_hash = $2")
            .bind(at_ms)
            .bind(crate::sessions::token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn insert_sign_request(
        &self,
        r: &NewSignRequest,
        agency_id: &AgencyId,
    ) -> Result<SignRequest, StoreError> {
        let id = new_id();
        let by = Actor {
            agency_id,
            person_id: &r.requester_id,
            at_ms: r.created_at_ms,
        };
        let (mut tx, head) = begin(self, by).await?;
        sqlx::query(&format!(
            "INSERT INTO remote_sign_requests ({REQUEST_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', NULL, $7, $8, NULL)"
        ))
        .bind(&id)
        .bind(&r.credential_id)
        .bind(r.requester_id.as_str())
        .bind(&r.label)
        .bind(&r.application)
        .bind(hex_list(&r.hashes))
        .bind(r.created_at_ms)
        .bind(r.expires_at_ms)
        .execute(&mut *tx)
        .await?;
        let action = RemoteRequested {
            credential: &r.credential_id,
            label: &r.label,
            application: &r.application,
            hashes: r.hashes.len(),
        };
        journal((tx, head), by, &id, &action).await?;
        self.sign_request(&id).await
    }

    pub async fn sign_request(&self, id: &str) -> Result<SignRequest, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM remote_sign_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        request_from_row(&row)
    }

    /// The pending, unexpired requests for a holder's credentials, newest first.
    pub async fn pending_sign_requests(
        &self,
        holder: &PersonId,
        now_ms: i64,
    ) -> Result<Vec<SignRequest>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM remote_sign_requests r \
             JOIN remote_credentials c ON c.id = r.credential_id \
             WHERE c.holder_id = $1 AND r.state = 'pending' AND r.expires_at_ms > $2 \
             ORDER BY r.created_at_ms DESC, r.id",
            REQUEST_COLUMNS
                .split(", ")
                .map(|c| format!("r.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(holder.as_str())
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request_from_row).collect()
    }

    /// Answers a pending, unexpired request: approved with its signatures (journaled as a
    /// signature) or rejected (journaled). `Conflict` when it was answered or expired already.
    pub async fn answer_sign_request(
        &self,
        request: &SignRequest,
        signatures: Option<&[Vec<u8>]>,
        by: Actor<'_>,
    ) -> Result<(), StoreError> {
        let state = if signatures.is_some() {
            RequestState::Approved
        } else {
            RequestState::Rejected
        };
        let (mut tx, mut head) = begin(self, by).await?;
        let done = sqlx::query(
            "UPDATE remote_sign_requests SET state = $1, signatures_hex = $2, answered_at_ms = $3 \
             WHERE id = $4 AND state = 'pending' AND expires_at_ms > $3",
        )
        .bind(state.as_str())
        .bind(signatures.map(hex_list))
        .bind(by.at_ms)
        .bind(&request.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "the request was answered already or has expired".into(),
            ));
        }
        let cred = request.credential_id.as_str();
        let e = if signatures.is_some() {
            let hex: Vec<String> = request.hashes.iter().map(hex::encode).collect();
            let action = RemoteSigned {
                credential: cred,
                hashes: hex.iter().map(String::as_str).collect(),
            };
            entry(by.at_ms, by.person_id.as_str(), &request.id, &action)?
        } else {
            let action = RemoteRejected { credential: cred };
            entry(by.at_ms, by.person_id.as_str(), &request.id, &action)?
        };
        append_and_commit(tx, by.agency_id, &mut head, e).await
    }
}
